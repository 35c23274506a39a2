package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.stage.TextEmbedder;
import picocli.CommandLine;

/** --conf files: precedence, strict keys, and that conf/kluespark-defaults.properties tells the truth. */
class ConfFileTest {
  private static final Path DEFAULTS = EmbedFormatsTest.repoRoot().resolve("conf/kluespark-defaults.properties");
  private static final Pattern COMMENTED_OPTION = Pattern.compile("^# kluespark\\.([a-z-]+)=(.*)$", Pattern.MULTILINE);

  @TempDir
  Path tmp;

  @Test
  void commandLineWinsOverTheFile() throws IOException {
    Path conf = write("kluespark.model=minilm\nkluespark.batch-size=7\nkluespark.pooling=mean\n"
        + "kluespark.normalize=true\nkluespark.progress-interval=0.5\nspark.sql.shuffle.partitions=3\n");
    EmbedCommand command = parse("--input", "in.jsonl", "--output", "out", "--batch-size", "9", "--conf", conf.toString());

    ConfFile file = ConfFile.load(conf, EmbedCommand.confOptions(command.spec));
    EmbedSettings settings = command.settings(file);

    assertThat(settings.model()).isEqualTo("minilm");
    assertThat(settings.batchSize()).isEqualTo(9);
    assertThat(settings.pooling()).isEqualTo("mean");
    assertThat(settings.normalize()).isTrue();
    assertThat(settings.progressInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.mode()).isEqualTo(WriteMode.ERRORIFEXISTS);
    assertThat(file.sparkSettings()).containsExactly(Map.entry("spark.sql.shuffle.partitions", "3"));
  }

  @Test
  void inputOnTheCommandLineWinsOverAnInputTableInTheFile() throws IOException {
    Path conf = write("kluespark.model=minilm\nkluespark.input-table=lake.sentences\nkluespark.output-table=lake.out\n"
        + "kluespark.mode=append\nkluespark.partition-by=lang, label\nkluespark.output-format=delta\n");
    EmbedCommand fromFile = parse("--conf", conf.toString());
    EmbedSettings tables = fromFile.settings(ConfFile.load(conf, confOptions()));
    assertThat(tables.inputTable()).isEqualTo("lake.sentences");
    assertThat(tables.input()).isNull();
    assertThat(tables.outputTable()).isEqualTo("lake.out");
    assertThat(tables.mode()).isEqualTo(WriteMode.APPEND);
    assertThat(tables.outputFormat()).isEqualTo(OutputFormat.DELTA);
    assertThat(tables.partitionBy()).containsExactly("lang", "label");

    EmbedCommand overridden = parse("--input", "in.jsonl", "--output", "out", "--conf", conf.toString());
    EmbedSettings paths = overridden.settings(ConfFile.load(conf, confOptions()));
    assertThat(paths.input()).isEqualTo("in.jsonl");
    assertThat(paths.inputTable()).as("the command line's --input wins").isNull();
    assertThat(paths.output()).isEqualTo("out");
    assertThat(paths.outputTable()).isNull();
  }

  @Test
  void unknownOptionKeyIsRejected() throws IOException {
    Path conf = write("kluespark.batchsize=7\n");
    assertThatThrownBy(() -> ConfFile.load(conf, confOptions()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key 'kluespark.batchsize'")
        .hasMessageContaining("batch-size");
  }

  @Test
  void keyOutsideBothNamespacesIsRejected() throws IOException {
    Path conf = write("batch-size=7\n");
    assertThatThrownBy(() -> ConfFile.load(conf, confOptions()))
        .hasMessageContaining("key 'batch-size' is neither kluespark.<option> nor spark.<setting>");
  }

  @Test
  void badNumberNamesTheKeyAndFile() throws IOException {
    Path conf = write("kluespark.batch-size=lots\n");
    EmbedCommand command = parse("--model", "minilm", "--input", "in", "--output", "out");
    ConfFile file = ConfFile.load(conf, EmbedCommand.confOptions(command.spec));

    assertThatThrownBy(() -> command.settings(file))
        .hasMessage("kluespark.batch-size in " + conf + ": 'lots' is not a whole number.");
  }

  @Test
  void missingFileIsAUsageError() {
    CliRun run = CliRun.of("embed", "--conf", tmp.resolve("nope.properties").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--conf " + tmp.resolve("nope.properties") + " does not exist");
  }

  @Test
  void defaultsFileLoadsUnchanged() {
    ConfFile file = ConfFile.load(DEFAULTS, confOptions());
    assertThat(file.sparkSettings()).isEmpty();
    assertThat(file.option("model")).isNull();
  }

  @Test
  void defaultsFileListsEveryOption() throws IOException {
    assertThat(commentedOptions().keySet()).containsExactlyInAnyOrderElementsOf(confOptions());
  }

  @Test
  void normalizeIsUnsetUnlessGivenSoTheModelsDeclarationDecides() throws IOException {
    Path empty = write("");
    assertThat(parse("--model", "minilm", "--input", "in.jsonl", "--output", "out")
        .settings(ConfFile.load(empty, confOptions())).normalize()).isNull();
    assertThat(parse("--model", "minilm", "--input", "in.jsonl", "--output", "out", "--no-normalize")
        .settings(ConfFile.load(empty, confOptions())).normalize()).isFalse();
    assertThat(parse("--model", "minilm", "--input", "in.jsonl", "--output", "out", "--normalize")
        .settings(ConfFile.load(empty, confOptions())).normalize()).isTrue();
  }

  @Test
  void defaultsFileShowsTheStageDefaults() throws IOException {
    Map<String, String> documented = commentedOptions();
    TextEmbedder stage = new TextEmbedder();
    assertThat(documented.get("pooling")).isEqualTo(stage.getPooling());
    assertThat(documented.get("max-seq-length")).isEqualTo(String.valueOf(stage.getMaxSeqLength()));
    assertThat(documented.get("batch-size")).isEqualTo(String.valueOf(stage.getBatchSize()));
    assertThat(documented.get("normalize")).isEqualTo(String.valueOf(stage.getNormalize()));
    assertThat(documented.get("output-type")).isEqualTo(stage.getOutputType());
    assertThat(documented.get("device")).isEqualTo(stage.getDevice());
    assertThat(documented.get("text-col")).isEqualTo(stage.getInputCol());
    assertThat(documented.get("reuse-duplicates")).isEqualTo(String.valueOf(stage.getReuseDuplicates()));
  }

  @Test
  void noReuseDuplicatesTurnsTheStageParamOffFromTheCommandLineOrTheFile() throws IOException {
    EmbedCommand plain = parse("--model", "minilm", "--input", "in", "--output", "out");
    assertThat(plain.settings(ConfFile.none()).newEmbedder().getReuseDuplicates()).isTrue();
    EmbedCommand flagged = parse("--model", "minilm", "--input", "in", "--output", "out", "--no-reuse-duplicates");
    assertThat(flagged.settings(ConfFile.none()).newEmbedder().getReuseDuplicates()).isFalse();
    Path conf = write("kluespark.reuse-duplicates=false\n");
    assertThat(plain.settings(ConfFile.load(conf, confOptions())).newEmbedder().getReuseDuplicates()).isFalse();
    EmbedCommand turnedOn = parse("--model", "minilm", "--input", "in", "--output", "out", "--reuse-duplicates");
    assertThat(turnedOn.settings(ConfFile.load(conf, confOptions())).newEmbedder().getReuseDuplicates())
        .as("the command line wins").isTrue();
    Path bad = write("kluespark.reuse-duplicates=maybe\n");
    assertThatThrownBy(() -> plain.settings(ConfFile.load(bad, confOptions())))
        .hasMessage("kluespark.reuse-duplicates in " + bad + ": 'maybe' is not true or false.");
  }

  @Test
  void defaultsFileWithEveryOptionUncommentedIsValid() throws IOException {
    String uncommented = Files.readString(DEFAULTS).replaceAll("(?m)^# ((kluespark|spark)\\.[\\w.-]+=)", "$1");
    Path conf = write(uncommented);
    EmbedCommand command = parse();
    ConfFile file = ConfFile.load(conf, EmbedCommand.confOptions(command.spec));

    EmbedSettings settings = command.settings(file);
    settings.newEmbedder(); // every value is one the stage accepts
    assertThat(settings.model()).isEqualTo("minilm");
    assertThat(file.sparkSettings()).containsKey("spark.task.cpus");
  }

  private Map<String, String> commentedOptions() throws IOException {
    Matcher m = COMMENTED_OPTION.matcher(Files.readString(DEFAULTS));
    Map<String, String> options = new LinkedHashMap<>();
    while (m.find()) {
      options.put(m.group(1), m.group(2));
    }
    return options;
  }

  private static List<String> confOptions() {
    return EmbedCommand.confOptions(parse().spec);
  }

  private static EmbedCommand parse(String... args) {
    EmbedCommand command = new EmbedCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  private Path write(String content) throws IOException {
    return Files.writeString(tmp.resolve("test.properties"), content);
  }
}
