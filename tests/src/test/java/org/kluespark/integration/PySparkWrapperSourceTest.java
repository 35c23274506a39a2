package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.junit.jupiter.api.Test;
import org.kluespark.stage.TextEmbedder;

/**
 * deploy/python/kluespark/embedder.py declares the Java stage's Params as they are: PySpark copies Params to
 * the Java object by name, and Python-side defaults are what a Python user reads. No PySpark (nor Python) is
 * needed: the source is read with regular expressions, in the layout the file uses.
 */
class PySparkWrapperSourceTest {
  private static final String SOURCE = DeployFiles.read("deploy/python/kluespark/embedder.py");
  private static final TextEmbedder JAVA = new TextEmbedder();
  private static final List<Param<?>> JAVA_PARAMS = Arrays.asList(JAVA.params());

  private static final Pattern PARAM = Pattern.compile("(?m)^    (\\w+) = Param\\(\\s*Params\\._dummy\\(\\),\\s*"
      + "\"(\\w+)\",\\s*((?:\"(?:[^\"\\\\]|\\\\.)*\"\\s*)+),\\s*typeConverter=TypeConverters\\.(\\w+)\\)");
  private static final Pattern STRING_LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern KWARG = Pattern.compile("(\\w+)=(\"[^\"]*\"|[^,\\s)]+)");

  private record PythonParam(String name, String doc, String converter) {}

  private static Map<String, PythonParam> pythonParams() {
    Map<String, PythonParam> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(SOURCE);
    while (m.find()) {
      assertThat(m.group(1)).as("attribute name of Param " + m.group(2)).isEqualTo(m.group(2));
      StringBuilder doc = new StringBuilder();
      Matcher literal = STRING_LITERAL.matcher(m.group(3));
      while (literal.find()) {
        doc.append(literal.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
      params.put(m.group(2), new PythonParam(m.group(2), doc.toString(), m.group(4)));
    }
    return params;
  }

  /** name=value pairs of the first call or signature matching {@code opening}...{@code )}. */
  private static Map<String, String> keywords(String opening) {
    int start = SOURCE.indexOf(opening);
    assertThat(start).as(opening + " in embedder.py").isNotNegative();
    String args = SOURCE.substring(start + opening.length(), SOURCE.indexOf(')', start + opening.length()));
    Map<String, String> keywords = new LinkedHashMap<>();
    Matcher m = KWARG.matcher(args);
    while (m.find()) {
      keywords.put(m.group(1), m.group(2));
    }
    return keywords;
  }

  /** The Java default as a Python literal, or None. */
  private static String pythonDefault(Param<?> param) {
    if (!JAVA.hasDefault(param)) {
      return "None";
    }
    Object value = JAVA.getDefault(param).get();
    if (value instanceof Boolean flag) {
      return flag ? "True" : "False";
    }
    if (value instanceof String text) {
      return "\"" + text + "\"";
    }
    return value.toString();
  }

  private static String converterFor(Param<?> param) {
    if (param instanceof IntParam) {
      return "toInt";
    }
    if (param instanceof BooleanParam) {
      return "toBoolean";
    }
    if (param instanceof IntArrayParam) {
      return "toListInt";
    }
    return "toString";
  }

  @Test
  void everyJavaParamIsDeclaredWithItsDocAndType() {
    Map<String, PythonParam> python = pythonParams();
    assertThat(python.keySet()).containsExactlyInAnyOrderElementsOf(JAVA_PARAMS.stream().map(Param::name).toList());
    for (Param<?> param : JAVA_PARAMS) {
      PythonParam declared = python.get(param.name());
      assertThat(declared.doc()).as("doc of " + param.name()).isEqualTo(param.doc());
      assertThat(declared.converter()).as("typeConverter of " + param.name()).isEqualTo(converterFor(param));
    }
  }

  @Test
  void defaultsAreTheJavaStagesDefaults() {
    Map<String, String> setDefault = keywords("self._setDefault(");
    Map<String, String> expected = new LinkedHashMap<>();
    JAVA_PARAMS.stream().filter(JAVA::hasDefault).forEach(p -> expected.put(p.name(), pythonDefault(p)));
    assertThat(setDefault).isEqualTo(expected);
    assertThat(expected).containsEntry("inputCol", "\"text\"").containsEntry("batchSize", "32")
        .containsEntry("normalize", "False").doesNotContainKey("encoderOutputsCol");
  }

  @Test
  void constructorAndSetParamsTakeEveryParamWithTheJavaDefault() {
    Map<String, String> expected = new LinkedHashMap<>();
    JAVA_PARAMS.forEach(p -> expected.put(p.name(), pythonDefault(p)));
    assertThat(keywords("def __init__(self, *,")).isEqualTo(expected);
    assertThat(keywords("def setParams(self, *,")).isEqualTo(expected);
  }

  @Test
  void everyParamHasASetterAndAGetter() {
    for (Param<?> param : JAVA_PARAMS) {
      String capitalized = Character.toUpperCase(param.name().charAt(0)) + param.name().substring(1);
      assertThat(SOURCE).as("setter of " + param.name())
          .contains("def set" + capitalized + "(self, value):\n        return self._set(" + param.name() + "=value)");
      assertThat(SOURCE).as("getter of " + param.name()).contains("def get" + capitalized + "(self):");
    }
  }

  @Test
  void wrapsTheJavaClassAndReadsItBack() {
    assertThat(SOURCE).contains("JAVA_CLASS = \"" + TextEmbedder.class.getName() + "\"");
    assertThat(SOURCE).contains("class TextEmbedder(JavaTransformer, HasInputCol, JavaMLReadable, JavaMLWritable):");
    assertThat(SOURCE).contains("self._java_obj = self._new_java_obj(JAVA_CLASS, self.uid)");
    assertThat(SOURCE).contains("def _java_loader_class(cls, clazz):\n        return JAVA_CLASS");
    // PipelineModel.load imports the Java class's package as a Python module: __init__ registers it.
    assertThat(DeployFiles.read("deploy/python/kluespark/__init__.py"))
        .contains("package, _, name = JAVA_CLASS.rpartition(\".\")", "setattr(alias, name, TextEmbedder)");
  }
}
