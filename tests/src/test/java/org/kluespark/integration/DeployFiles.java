package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.kluespark.job.KlueSparkCli;
import org.kluespark.testing.TestModels;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The deploy/ recipes as the tests read them, the versions the build pins, and the CLI's own parser. */
final class DeployFiles {
  static final Path REPO = TestModels.repoRoot();
  static final Path DEPLOY = REPO.resolve("deploy");

  private DeployFiles() {}

  static String read(String repoRelative) {
    try {
      return Files.readString(REPO.resolve(repoRelative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A property of the root pom.xml (spark.version, onnxruntime.version, ...), or its project version. */
  static String pom(String property) {
    try {
      Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(REPO.resolve("pom.xml").toFile()).getDocumentElement();
      if (property.equals("project.version")) {
        return childText(project, "version");
      }
      Element properties = (Element) project.getElementsByTagName("properties").item(0);
      String value = childText(properties, property);
      assertThat(value).as("pom.xml property " + property).isNotNull();
      return value;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read pom.xml", e);
    }
  }

  private static String childText(Element parent, String name) {
    for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element element && element.getTagName().equals(name)) {
        return element.getTextContent().trim();
      }
    }
    return null;
  }

  /** The file name the job module's shade plugin gives the spark-submit jar. */
  static String shadedJarName() {
    return "kluespark-job-" + pom("project.version") + "-spark.jar";
  }

  static String onnxRuntimeCoordinates() {
    return "com.microsoft.onnxruntime:onnxruntime_gpu:" + pom("onnxruntime.version");
  }

  /**
   * Parses a {@code kluespark} command line exactly as the job does (picocli, without running it): unknown
   * options, missing option values and bad numbers throw. Returns the subcommand's parse result.
   */
  static ParseResult parseCli(List<String> args) {
    ParseResult result = new CommandLine(new KlueSparkCli()).parseArgs(args.toArray(String[]::new));
    assertThat(result.subcommand()).as("a subcommand in " + args).isNotNull();
    return result.subcommand();
  }

  /** An embed command line with what the job requires: a model, an input (path or table), an output (same). */
  static ParseResult parseEmbed(List<String> args) {
    ParseResult embed = parseCli(args);
    assertThat(embed.commandSpec().name()).as(args.toString()).isEqualTo("embed");
    assertThat(embed.hasMatchedOption("--model")).as("--model in " + args).isTrue();
    assertThat(embed.hasMatchedOption("--input") ^ embed.hasMatchedOption("--input-table"))
        .as("one of --input, --input-table in " + args).isTrue();
    assertThat(embed.hasMatchedOption("--output") ^ embed.hasMatchedOption("--output-table"))
        .as("one of --output, --output-table in " + args).isTrue();
    return embed;
  }
}
