package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kluespark.integration.DeployFiles.DEPLOY;
import static org.kluespark.integration.DeployFiles.REPO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.inference.Device;
import org.kluespark.job.KlueSparkCli;
import org.kluespark.stage.TextEmbedder;
import picocli.CommandLine.ParseResult;

/**
 * The deploy/ recipes, checked where they can be without Databricks, Kubernetes, Docker or PySpark: each
 * parses, names the real main class, passes the CLI's own parser, pins the versions pom.xml builds with, and
 * points at files that exist. Nothing here starts Spark.
 */
class DeployRecipesTest {
  private static final String MAIN_CLASS = KlueSparkCli.class.getName();
  private static final Pattern DOCKER_COPY = Pattern.compile("(?m)^COPY (?:--\\S+ )*(\\S+) (\\S+)$");

  @TempDir
  Path tmp;

  // ---- Databricks ----

  @Test
  void databricksJobRunsEmbedWithTheJarAndOnnxRuntime() throws IOException {
    JsonNode job = new ObjectMapper().readTree(DeployFiles.read("deploy/databricks/job.json"));
    JsonNode task = job.get("tasks").get(0);
    assertThat(task.at("/spark_jar_task/main_class_name").asText()).isEqualTo(MAIN_CLASS);
    List<String> parameters = new ArrayList<>();
    task.at("/spark_jar_task/parameters").forEach(p -> parameters.add(p.asText()));
    ParseResult embed = DeployFiles.parseEmbed(parameters);
    assertThat(Device.names()).contains(embed.matchedOptionValue("--device", "auto"));
    // The nightly form: catalog tables in and out, only the rows the output lacks, keyed by a real id column.
    assertIncrementalTableRun(embed);
    assertThat(job.at("/schedule/quartz_cron_expression").asText()).isNotBlank();

    JsonNode cluster = task.get("new_cluster");
    // A GPU ML runtime on the Scala version the jar is built for: 17.x = Spark 4.0.
    assertThat(cluster.get("spark_version").asText())
        .matches("1[7-9]\\.\\d+\\.x-gpu-ml-scala" + Pattern.quote(DeployFiles.pom("scala.binary.version")));
    assertThat(cluster.get("node_type_id").asText()).isNotBlank();
    double taskGpu = Double.parseDouble(cluster.at("/spark_conf/spark.task.resource.gpu.amount").asText());
    assertThat(taskGpu).isGreaterThan(0).isLessThanOrEqualTo(1);

    List<String> libraries = new ArrayList<>();
    task.get("libraries").forEach(library -> libraries.add(library.has("jar")
        ? "jar " + Path.of(library.get("jar").asText()).getFileName()
        : "maven " + library.at("/maven/coordinates").asText()));
    assertThat(libraries).containsExactly("jar " + DeployFiles.shadedJarName(),
        "maven " + DeployFiles.onnxRuntimeCoordinates());
  }

  @Test
  void pythonNotebookUsesRealParamsAndValidCommandLines() {
    String notebook = DeployFiles.read("deploy/databricks/kluespark_embed.py");
    assertThat(notebook).startsWith("# Databricks notebook source\n").contains("\n# COMMAND ----------\n");
    Map<String, String> variables = new LinkedHashMap<>();
    Matcher assignment = Pattern.compile("(?m)^([A-Z_]+) = \"([^\"]*)\"$").matcher(notebook);
    while (assignment.find()) {
      variables.put(assignment.group(1), assignment.group(2));
    }

    List<String> javaParams = Arrays.stream(new TextEmbedder().params()).map(p -> p.name()).toList();
    Matcher stage = Pattern.compile("TextEmbedder\\(([^)]*)\\)").matcher(notebook);
    int stages = 0;
    while (stage.find()) {
      Matcher keyword = Pattern.compile("(\\w+)=").matcher(stage.group(1));
      while (keyword.find()) {
        assertThat(javaParams).as("TextEmbedder keyword in the notebook").contains(keyword.group(1));
      }
      stages++;
    }
    assertThat(stages).isEqualTo(2);

    List<List<String>> commandLines = new ArrayList<>();
    Matcher convert = Pattern.compile("convert_args = \\[([^\\]]*)]").matcher(notebook);
    assertThat(convert.find()).isTrue();
    commandLines.add(tokens(convert.group(1), variables));
    Matcher call = Pattern.compile("kluespark_cli\\(\"([^)]*)\\)").matcher(notebook);
    while (call.find()) {
      commandLines.add(tokens("\"" + call.group(1), variables));
    }
    assertThat(commandLines).extracting(args -> args.get(0)).containsExactly("convert", "info", "embed");
    for (List<String> args : commandLines) {
      ParseResult parsed = args.get(0).equals("embed") ? DeployFiles.parseEmbed(args) : DeployFiles.parseCli(args);
      assertThat(parsed.commandSpec().name()).isEqualTo(args.get(0));
      if (args.get(0).equals("embed")) {
        assertIncrementalTableRun(parsed);
      }
    }
    assertThat(notebook).contains("Maven `" + DeployFiles.onnxRuntimeCoordinates() + "`");
  }

  /** An embed line that reads and writes catalog tables and adds only the rows the output lacks, by id. */
  private static void assertIncrementalTableRun(ParseResult embed) {
    assertThat(embed.hasMatchedOption("--input-table")).as("--input-table").isTrue();
    assertThat(embed.hasMatchedOption("--output-table")).as("--output-table").isTrue();
    assertThat(embed.hasMatchedOption("--incremental")).as("--incremental").isTrue();
    assertThat(embed.matchedOptionValue("--id-col", "")).as("--id-col").isNotBlank();
    assertThat(embed.hasMatchedOption("--input") || embed.hasMatchedOption("--output")).isFalse();
  }

  /** Python string literals and variable names of an argument list, variables replaced by their values. */
  private static List<String> tokens(String pythonArgs, Map<String, String> variables) {
    List<String> tokens = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"|([A-Z_]+)").matcher(pythonArgs);
    while (m.find()) {
      if (m.group(1) != null) {
        tokens.add(m.group(1));
      } else {
        assertThat(variables).as("notebook variable").containsKey(m.group(2));
        tokens.add(variables.get(m.group(2)));
      }
    }
    return tokens;
  }

  @Test
  void scalaNotebookCallsMethodsAndClassesThatExist() throws Exception {
    String notebook = DeployFiles.read("deploy/databricks/kluespark_embed.scala");
    assertThat(notebook).startsWith("// Databricks notebook source\n").contains("\n// COMMAND ----------\n");
    List<String> methods = Arrays.stream(TextEmbedder.class.getMethods()).map(java.lang.reflect.Method::getName).toList();
    Matcher chain = Pattern.compile("new TextEmbedder\\(\\)((?:\\s*\\.\\w+\\([^()]*\\))+)").matcher(notebook);
    int chains = 0;
    while (chain.find()) {
      Matcher call = Pattern.compile("\\.(\\w+)\\(").matcher(chain.group(1));
      while (call.find()) {
        assertThat(methods).as("TextEmbedder method in the Scala notebook").contains(call.group(1));
      }
      chains++;
    }
    assertThat(chains).isEqualTo(2);

    Matcher imports = Pattern.compile("(?m)^import (org\\.kluespark\\.[\\w.]+?)\\.(?:\\{([^}]*)}|(\\w+))$").matcher(notebook);
    int classes = 0;
    while (imports.find()) {
      String names = imports.group(2) != null ? imports.group(2) : imports.group(3);
      for (String name : names.split(",")) {
        Class.forName(imports.group(1) + "." + name.strip());
        classes++;
      }
    }
    assertThat(classes).isEqualTo(7);
    Matcher cli = Pattern.compile("KlueSparkCli\\.run\\(Array\\(([^)]*)\\)\\)").matcher(notebook);
    assertThat(cli.find()).as("KlueSparkCli.run in the Scala notebook").isTrue();
    Map<String, String> scalaValues = Map.of("modelDir", "/Volumes/main/kluespark/models/klue-bert-base");
    List<String> args = new ArrayList<>();
    Matcher arg = Pattern.compile("\"([^\"]*)\"|(\\w+)").matcher(cli.group(1));
    while (arg.find()) {
      args.add(arg.group(1) != null ? arg.group(1) : scalaValues.get(arg.group(2)));
    }
    assertThat(args).doesNotContainNull();
    assertIncrementalTableRun(DeployFiles.parseEmbed(args));
    assertThat(notebook).contains("Maven `" + DeployFiles.onnxRuntimeCoordinates() + "`");
  }

  // ---- Kubernetes and the image ----

  @Test
  void sparkApplicationRunsEmbedOnGpusWithTheImagesFiles() {
    Map<String, Object> app = MiniYaml.parse(DeployFiles.read("deploy/k8s/kluespark-embed.yaml"));
    assertThat(app).containsEntry("apiVersion", "sparkoperator.k8s.io/v1beta2").containsEntry("kind", "SparkApplication");
    assertThat(MiniYaml.at(app, "spec/type")).isEqualTo("Java");
    assertThat(MiniYaml.at(app, "spec/mainClass")).isEqualTo(MAIN_CLASS);
    assertThat(MiniYaml.at(app, "spec/sparkVersion")).isEqualTo(DeployFiles.pom("spark.version"));
    @SuppressWarnings("unchecked")
    List<String> arguments = (List<String>) MiniYaml.at(app, "spec/arguments");
    ParseResult embed = DeployFiles.parseEmbed(arguments);
    assertThat(embed.matchedOptionValue("--device", "auto")).isEqualTo("cuda");

    Map<String, String> image = dockerCopies();
    assertThat(MiniYaml.at(app, "spec/mainApplicationFile"))
        .isEqualTo("local://" + image.get("job/target/kluespark-job-*-spark.jar"));
    String discovery = (String) MiniYaml.at(app, "spec/sparkConf/spark.executor.resource.gpu.discoveryScript");
    assertThat(discovery).isEqualTo(image.get("deploy/gpu/get-gpus-resources.sh"));

    // Executors ask Kubernetes for the GPUs Spark schedules, and GPU slots equal CPU slots, so neither idles.
    assertThat(MiniYaml.at(app, "spec/executor/gpu/name")).isEqualTo("nvidia.com/gpu");
    double executorGpus = Double.parseDouble((String) MiniYaml.at(app, "spec/sparkConf/spark.executor.resource.gpu.amount"));
    assertThat(Double.parseDouble((String) MiniYaml.at(app, "spec/executor/gpu/quantity"))).isEqualTo(executorGpus);
    double taskGpu = Double.parseDouble((String) MiniYaml.at(app, "spec/sparkConf/spark.task.resource.gpu.amount"));
    double taskCpus = Double.parseDouble((String) MiniYaml.at(app, "spec/sparkConf/spark.task.cpus"));
    double cores = Double.parseDouble((String) MiniYaml.at(app, "spec/executor/cores"));
    assertThat(executorGpus / taskGpu).as("tasks per executor by GPU").isEqualTo(cores / taskCpus);
  }

  /** COPY source -> destination of the Dockerfile; every source exists or matches what the build writes. */
  private static Map<String, String> dockerCopies() {
    Map<String, String> copies = new LinkedHashMap<>();
    Matcher m = DOCKER_COPY.matcher(DeployFiles.read("deploy/docker/Dockerfile"));
    while (m.find()) {
      copies.put(m.group(1), m.group(2));
    }
    return copies;
  }

  @Test
  void dockerfileBuildsOnTheSparkImageWithTheBuildsJarsAndScript() throws Exception {
    String dockerfile = DeployFiles.read("deploy/docker/Dockerfile");
    assertThat(dockerfile).contains("ARG SPARK_IMAGE=apache/spark:" + DeployFiles.pom("spark.version") + "-scala"
        + DeployFiles.pom("scala.binary.version") + "-java17-ubuntu\nFROM ${SPARK_IMAGE}\n");

    Map<String, String> copies = dockerCopies();
    assertThat(copies).containsOnlyKeys("job/target/kluespark-job-*-spark.jar", "deploy/gpu/get-gpus-resources.sh");
    assertThat(FileSystems.getDefault().getPathMatcher("glob:job/target/kluespark-job-*-spark.jar")
        .matches(Path.of("job/target", DeployFiles.shadedJarName()))).isTrue();
    assertThat(FileSystems.getDefault().getPathMatcher("glob:job/target/kluespark-job-*-spark.jar")
        .matches(Path.of("job/target", "kluespark-job-" + DeployFiles.pom("project.version") + ".jar"))).isFalse();
    assertThat(REPO.resolve("deploy/gpu/get-gpus-resources.sh")).isRegularFile();

    // ONNX Runtime: the version pom.xml pins, checked against the SHA-256 of the jar this build uses.
    String version = DeployFiles.pom("onnxruntime.version");
    Matcher add = Pattern.compile("--checksum=sha256:(\\p{XDigit}{64}) \\\\\\n\\s+(https://repo1\\.maven\\.org/\\S+)")
        .matcher(dockerfile);
    assertThat(add.find()).as("ADD --checksum=sha256:... <Maven Central URL>").isTrue();
    assertThat(add.group(2)).isEqualTo("https://repo1.maven.org/maven2/com/microsoft/onnxruntime/onnxruntime_gpu/"
        + version + "/onnxruntime_gpu-" + version + ".jar");
    assertThat(add.group(1)).isEqualTo(sha256(classpathJar("onnxruntime_gpu-" + version + ".jar")));

    // Every RUN is valid POSIX sh (the base image's /bin/sh is dash, not bash).
    Matcher run = Pattern.compile("(?m)^RUN ((?:.*\\\\\\n)*.*)$").matcher(dockerfile);
    int runs = 0;
    while (run.find()) {
      String script = run.group(1).replace("\\\n", ""); // Docker joins continued lines
      Process process = new ProcessBuilder("sh", "-n", "-c", script).redirectErrorStream(true).start();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("sh -n of RUN " + script + "\n"
          + new String(process.getInputStream().readAllBytes())).isZero();
      runs++;
    }
    assertThat(runs).isEqualTo(2);
  }

  private static Path classpathJar(String fileName) {
    return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(Path::of).filter(p -> p.getFileName().toString().equals(fileName)).findFirst()
        .orElseThrow(() -> new AssertionError(fileName + " is not on the test classpath"));
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  // ---- spark-submit.sh ----

  private record Run(int exit, String out) {}

  private Run sparkSubmit(Map<String, String> env, String... args) throws Exception {
    Path sparkHome = tmp.resolve("spark");
    Path fake = Files.createDirectories(sparkHome.resolve("bin")).resolve("spark-submit");
    if (!Files.exists(fake)) {
      Files.writeString(fake, "#!/bin/sh\nfor arg in \"$@\"; do printf '%s\\n' \"$arg\"; done\n");
      Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    List<String> command = new ArrayList<>(List.of("bash", DEPLOY.resolve("spark-submit.sh").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Stream.of("SPARK_MASTER", "DEPLOY_MODE", "GPU_AMOUNT", "GPU_DISCOVERY", "TASK_GPU_AMOUNT", "KLUESPARK_JOB_JAR",
        "KLUESPARK_PACKAGES", "KLUESPARK_SUBMIT_ARGS").forEach(builder.environment()::remove);
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes()));
  }

  @Test
  void sparkSubmitScriptPassesTheEmbedCommandLineAndGpuConfs() throws Exception {
    Process syntax = new ProcessBuilder("bash", "-n", DEPLOY.resolve("spark-submit.sh").toString())
        .redirectErrorStream(true).start();
    assertThat(syntax.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(syntax.exitValue()).isZero();

    Path jar = Files.writeString(tmp.resolve(DeployFiles.shadedJarName()), "jar");
    Run run = sparkSubmit(Map.of("KLUESPARK_JOB_JAR", jar.toString(), "GPU_AMOUNT", "1", "SPARK_MASTER", "yarn",
        "KLUESPARK_SUBMIT_ARGS", "--queue gpu"),
        "hdfs:///models/klue-bert-base", "hdfs:///data/klue-sts", "hdfs:///out/sts", "--pair-col", "sentence2");
    assertThat(run.exit()).as(run.out()).isZero();
    List<String> args = run.out().lines().toList();
    assertThat(args).containsSubsequence("--master", "yarn");
    assertThat(args).containsSubsequence("--class", MAIN_CLASS);
    assertThat(args).containsSubsequence("--packages", DeployFiles.onnxRuntimeCoordinates());
    assertThat(args).containsSubsequence("--files", DEPLOY.resolve("gpu/get-gpus-resources.sh").toString());
    assertThat(args).contains("spark.executor.resource.gpu.amount=1", "spark.task.resource.gpu.amount=0.25",
        "spark.executor.resource.gpu.discoveryScript=./get-gpus-resources.sh");
    assertThat(args).containsSubsequence("--queue", "gpu");
    int jarAt = args.indexOf(jar.toString());
    assertThat(jarAt).isPositive();
    ParseResult embed = DeployFiles.parseEmbed(args.subList(jarAt + 1, args.size()));
    assertThat(embed.matchedOptionValue("--model", "")).isEqualTo("hdfs:///models/klue-bert-base");
    assertThat(embed.matchedOptionValue("--pair-col", "")).isEqualTo("sentence2");

    Run cpu = sparkSubmit(Map.of("KLUESPARK_JOB_JAR", jar.toString()), "m", "in", "out");
    assertThat(cpu.out()).doesNotContain("resource.gpu", "--files", "--master");
  }

  @Test
  void sparkSubmitScriptSaysWhatIsMissing() throws Exception {
    Run usage = sparkSubmit(Map.of(), "only-a-model");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.out()).contains("Usage: deploy/spark-submit.sh MODEL_DIR INPUT OUTPUT");
    Run noJar = sparkSubmit(Map.of("KLUESPARK_JOB_JAR", tmp.resolve("absent.jar").toString()), "m", "in", "out");
    assertThat(noJar.exit()).isEqualTo(1);
    assertThat(noJar.out()).contains("no job jar at " + tmp.resolve("absent.jar"), "./mvnw -B -q package -DskipTests");
  }

  @Test
  void everyKnobOfTheSparkSubmitScriptIsDocumentedInItsHeader() {
    String script = DeployFiles.read("deploy/spark-submit.sh");
    String header = script.substring(0, script.indexOf("set -euo pipefail"));
    TreeSet<String> knobs = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\{([A-Z_]+):?[-+]").matcher(script);
    while (m.find()) {
      knobs.add(m.group(1));
    }
    assertThat(knobs).hasSize(15);
    for (String knob : knobs) {
      assertThat(header).as("header documents " + knob).containsPattern("(?m)^#   " + knob + "\\s");
    }
  }

  // ---- the index ----

  @Test
  void deployReadmeIndexesEveryRecipe() throws IOException {
    String readme = DeployFiles.read("deploy/README.md");
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      List<String> recipes = files.filter(Files::isRegularFile)
          .map(p -> DEPLOY.relativize(p).toString())
          .filter(p -> !p.endsWith("README.md") && !p.endsWith(".gitignore"))
          // what `python -m build` or an import leaves behind (deploy/python/.gitignore)
          .filter(p -> Stream.of("__pycache__", "python/build/", "python/dist/", ".egg-info")
              .noneMatch(p::contains))
          .toList();
      assertThat(recipes).hasSizeGreaterThanOrEqualTo(9);
      for (String recipe : recipes) {
        String shown = recipe.startsWith("python/kluespark/") ? "python/kluespark/" : recipe;
        assertThat(readme).as("deploy/README.md mentions " + recipe).contains("`" + shown);
      }
    }
  }
}
