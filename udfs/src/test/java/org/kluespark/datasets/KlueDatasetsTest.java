package org.kluespark.datasets;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;

/** The loaders on the authored samples in datasets/, on KLUE's dev sets when present, and on broken files. */
class KlueDatasetsTest {
  private static SparkSession spark;
  private static Path datasets;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    datasets = TestModels.repoRoot().resolve("datasets");
  }

  private static String sample(String name) {
    return datasets.resolve(name).toString();
  }

  @Test
  void ynatSample() {
    Dataset<Row> ynat = KlueDatasets.ynat(spark, sample("klue-ynat-sample.json"));
    assertThat(ynat.schema()).isEqualTo(KlueSchemas.YNAT);
    List<Row> rows = ynat.collectAsList();
    assertThat(rows).hasSize(14);
    assertThat(ynat.groupBy("label").count().count()).isEqualTo(7);
    Row row = rows.get(9);
    assertThat(row.<String>getAs("guid")).isEqualTo("klue-ynat-sample-10");
    assertThat(row.<String>getAs("title")).isEqualTo("남미 가뭄 장기화에 커피 원두 가격 급등");
    assertThat(row.<String>getAs("predefined_news_category")).isEqualTo("경제");
    assertThat(row.<String>getAs("label")).isEqualTo("세계");
    assertThat(row.<String>getAs("url")).isEqualTo("https://news.example.com/article/20240370");
    assertThat(row.<String>getAs("date")).isEqualTo("2024.08.19. 오전 6:35");
    Row annotations = row.getAs("annotations");
    assertThat(annotations.<String>getList(0)).containsExactly("01", "10", "15");
    assertThat(annotations.getStruct(1).<String>getList(0)).containsExactly("세계", "세계", "경제");
    assertThat(ynat.select(col("annotations.annotations.second-scope")).first().<String>getList(0))
        .containsExactly("경제", "해당없음", "해당없음");
  }

  @Test
  void stsSampleWithFlattenedLabels() {
    Dataset<Row> sts = KlueDatasets.sts(spark, sample("klue-sts-sample.json"));
    assertThat(sts.schema()).isEqualTo(KlueSchemas.STS);
    assertThat(sts.columns()).containsExactly("guid", "source", "sentence1", "sentence2", "labels", "annotations",
        "label", "real_label", "binary_label");
    assertThat(sts.count()).isEqualTo(30);
    Row first = sts.first();
    assertThat(first.<String>getAs("guid")).isEqualTo("klue-sts-sample-1");
    assertThat(first.<String>getAs("sentence2")).isEqualTo("내일 오전엔 전국 대부분 지역의 기온이 영하로 내려갈 것으로 보입니다.");
    assertThat(first.<Double>getAs("real_label")).isEqualTo(4.0);
    assertThat(first.<Integer>getAs("binary_label")).isEqualTo(1);
    assertThat(first.<Row>getAs("annotations").<Integer>getList(2)).containsExactly(4, 4, 5, 4, 3, 4, 4);
    assertThat(sts.where(col("binary_label").equalTo(1)).count()).isEqualTo(19);
    assertThat(sts.where(col("label").notEqual(col("labels.label"))
        .or(col("real_label").notEqual(col("labels.`real-label`")))).count()).isZero();
    // The JSON Lines copy of the sample gives the same rows.
    assertThat(KlueDatasets.sts(spark, sample("klue-sts-sample.jsonl")).collectAsList()).isEqualTo(sts.collectAsList());
  }

  @Test
  void nliSample() {
    Dataset<Row> nli = KlueDatasets.nli(spark, sample("klue-nli-sample.json"));
    assertThat(nli.schema()).isEqualTo(KlueSchemas.NLI);
    assertThat(nli.count()).isEqualTo(30);
    assertThat(nli.where(col("gold_label").equalTo("contradiction")).count()).isEqualTo(10);
    Row first = nli.first();
    assertThat(first.<String>getAs("hypothesis")).isEqualTo("호스트가 체크인 때 직접 손님을 맞아 주었다.");
    assertThat(first.<String>getAs("label5")).isEqualTo("entailment");
  }

  @Test
  void nerSample() {
    Dataset<Row> ner = KlueDatasets.ner(spark, sample("klue-ner-sample.tsv"));
    assertThat(ner.schema()).isEqualTo(KlueSchemas.NER);
    List<Row> rows = ner.collectAsList();
    assertThat(rows).hasSize(13); // the three '##' preamble lines are comments, not sentences
    Row second = rows.get(1);
    assertThat(second.<String>getAs("guid")).isEqualTo("klue-ner-sample-2");
    assertThat(second.<String>getAs("sentence")).isEqualTo("김하늘 씨는 지난해 5월 한빛전자에 입사했다.");
    assertThat(second.<String>getAs("tagged_sentence")).isEqualTo("<김하늘:PS> 씨는 <지난해 5월:DT> <한빛전자:OG>에 입사했다.");
    assertThat(second.<String>getList(3).subList(0, 8)).containsExactly("김", "하", "늘", " ", "씨", "는", " ", "지");
    assertThat(second.<String>getList(4).subList(0, 14)).containsExactly( // 김하늘 씨는 지난해 5월 ...
        "B-PS", "I-PS", "I-PS", "O", "O", "O", "O", "B-DT", "I-DT", "I-DT", "I-DT", "I-DT", "I-DT", "O");
    for (Row row : rows) {
      assertThat(row.<String>getList(3)).hasSize(row.<String>getAs("sentence").length())
          .hasSameSizeAs(row.<String>getList(4));
    }
    assertThat(rows.get(7).<String>getList(4)).containsOnly("O"); // a sentence without entities
    assertThat(ner.select(sum(size(col("tokens")))).first().getLong(0)).isEqualTo(377);
  }

  @Test
  void reSample() {
    Dataset<Row> re = KlueDatasets.re(spark, sample("klue-re-sample.json"));
    assertThat(re.schema()).isEqualTo(KlueSchemas.RE);
    List<Row> rows = re.collectAsList();
    assertThat(rows).hasSize(14);
    Row row = rows.get(12);
    assertThat(row.<String>getAs("guid")).isEqualTo("klue-re-sample-13");
    assertThat(row.<String>getAs("label")).isEqualTo("per:employee_of");
    Row subject = row.getAs("subject_entity");
    assertThat(subject).isEqualTo(RowFactory.create("Alex Park", 12, 20, "PER"));
    for (Row r : rows) { // offsets are character indices into the sentence, end inclusive
      String sentence = r.getAs("sentence");
      for (String entity : List.of("subject_entity", "object_entity")) {
        Row e = r.getAs(entity);
        assertThat(sentence.substring(e.getInt(1), e.getInt(2) + 1)).isEqualTo(e.getString(0));
      }
    }
  }

  @Test
  void dpSample() {
    Dataset<Row> dp = KlueDatasets.dp(spark, sample("klue-dp-sample.tsv"));
    assertThat(dp.schema()).isEqualTo(KlueSchemas.DP);
    List<Row> rows = dp.collectAsList();
    assertThat(rows).hasSize(11);
    Row first = rows.get(0);
    assertThat(first.<String>getAs("guid")).isEqualTo("klue-dp-sample-1");
    assertThat(first.<String>getAs("sentence")).isEqualTo("나는 어제 도서관에서 책을 빌렸다.");
    assertThat(first.<Integer>getList(2)).containsExactly(1, 2, 3, 4, 5);
    assertThat(first.<String>getList(3)).containsExactly("나는", "어제", "도서관에서", "책을", "빌렸다.");
    assertThat(first.<String>getList(4)).containsExactly("나 는", "어제", "도서관 에서", "책 을", "빌리 었 다 .");
    assertThat(first.<String>getList(5)).containsExactly("NP+JX", "MAG", "NNG+JKB", "NNG+JKO", "VV+EP+EF+SF");
    assertThat(first.<Integer>getList(6)).containsExactly(5, 5, 5, 5, 0);
    assertThat(first.<String>getList(7)).containsExactly("NP_SBJ", "AP", "NP_AJT", "NP_OBJ", "VP");
    assertThat(dp.select(sum(size(col("index")))).first().getLong(0)).isEqualTo(60);
    for (Row row : rows) {
      assertThat(String.join(" ", row.<String>getList(3))).isEqualTo(row.getString(1));
    }
  }

  @Test
  void gzipAndDirectoriesAndGlobs() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("dp"));
    byte[] sample = Files.readAllBytes(datasets.resolve("klue-dp-sample.tsv"));
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("part-1.tsv.gz")))) {
      out.write(sample);
    }
    Files.write(dir.resolve("part-2.tsv"), sample);
    assertThat(KlueDatasets.dp(spark, dir.toString()).count()).isEqualTo(22);
    assertThat(KlueDatasets.dp(spark, dir.resolve("*.gz").toString()).count()).isEqualTo(11);
  }

  @Test
  void aPathMatchingNothingFailsAtOnce() {
    String missing = tmp.resolve("klue-ner-v1.1_dev.tsv").toString();
    assertThatThrownBy(() -> KlueDatasets.ner(spark, missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("No KLUE NER file at " + missing + " (nothing matches it); give a file, a directory or a glob."
            + " datasets/README.md says where to get KLUE.");
  }

  @Test
  void aBrokenTsvFailsTheFirstActionNamingFileAndLine() throws IOException {
    Path file = tmp.resolve("broken-dp.tsv");
    Files.writeString(file, "## s-1\t비가 왔다.\n1\t비가\t비 가\tNNG+JKS\t2\tNP_SBJ\n2\t왔다.\t오 았 다 .\tVV+EP+EF+SF\t9\tVP\n",
        StandardCharsets.UTF_8);
    Dataset<Row> dp = KlueDatasets.dp(spark, file.toString()); // lazy: nothing read yet
    assertThat(klueError(() -> dp.count()))
        .hasMessage("file:" + file + ", line 3: HEAD 9 points past the last word of s-1 (2 words); it is a word's"
            + " INDEX, or 0 for the root");
  }

  @Test
  void aBrokenJsonFailsTheFirstActionNamingFileAndLine() throws IOException {
    Path file = tmp.resolve("broken-sts.json");
    Files.writeString(file, "[\n  {\"guid\": \"a\", \"sentence1\": \"x\", \"sentence2\": \"y\",\n"
        + "   \"labels\": {\"label\": 3.0, \"real-label\": \"high\", \"binary-label\": 1}}\n]\n", StandardCharsets.UTF_8);
    Dataset<Row> sts = KlueDatasets.sts(spark, file.toString());
    KlueFormatException error = klueError(() -> sts.collectAsList());
    assertThat(error).hasMessage("file:" + file + ", line 3: \"labels.real-label\" should be a number but is the"
        + " string \"high\"");
    assertThat(error.file()).isEqualTo("file:" + file);
    assertThat(error.line()).isEqualTo(3);
  }

  // ---- KLUE's own dev sets, when ../shared/klue has them ----

  @Test
  void klueStsDevSet() {
    Dataset<Row> sts = KlueDatasets.sts(spark, devSet("klue-sts-v1.1_dev.json"));
    assertThat(sts.count()).isEqualTo(519);
    assertThat(sts.where(col("binary_label").equalTo(1)).count()).isEqualTo(220);
    Row first = sts.first();
    assertThat(first.<String>getAs("guid")).isEqualTo("klue-sts-v1_dev_00000");
    assertThat(first.<Double>getAs("label")).isEqualTo(4.9);
    assertThat(first.<Double>getAs("real_label")).isEqualTo(4.857142857142857);
    assertThat(first.<Row>getAs("annotations").<Integer>getList(2)).hasSize(7);
  }

  @Test
  void klueNliDevSet() {
    Dataset<Row> nli = KlueDatasets.nli(spark, devSet("klue-nli-v1.1_dev.json"));
    assertThat(nli.count()).isEqualTo(3000);
    assertThat(nli.groupBy("gold_label").count().where(col("count").equalTo(1000)).count()).isEqualTo(3);
    assertThat(nli.where(col("source").equalTo("NSMC")).count()).isEqualTo(600);
    assertThat(nli.where(col("premise").isNull().or(col("label5").isNull())).count()).isZero();
  }

  @Test
  void klueNerDevSet() {
    Dataset<Row> ner = KlueDatasets.ner(spark, devSet("klue-ner-v1.1_dev.tsv"));
    assertThat(ner.count()).isEqualTo(5000);
    assertThat(ner.select(sum(size(col("tokens")))).first().getLong(0)).isEqualTo(285_929);
    assertThat(ner.first().<String>getAs("guid")).isEqualTo("klue-ner-v1_dev_00000-wikitree");
  }

  @Test
  void klueDpDevSet() {
    Dataset<Row> dp = KlueDatasets.dp(spark, devSet("klue-dp-v1.1_dev.tsv"));
    assertThat(dp.count()).isEqualTo(2000);
    assertThat(dp.select(sum(size(col("index")))).first().getLong(0)).isEqualTo(22_496);
    assertThat(dp.first().<String>getAs("guid")).isEqualTo("klue-dp-v1_dev_00000_wikitree");
  }

  /**
   * A KLUE dev file from ../shared/klue (or the directory in the system property kluespark.klue.dir); the test
   * is skipped, saying so, when it is absent.
   */
  private static String devSet(String name) {
    String dir = System.getProperty("kluespark.klue.dir");
    Path file = dir != null && Files.isRegularFile(Path.of(dir, name)) ? Path.of(dir, name)
        : TestModels.sharedKlue().resolve(name);
    Assumptions.assumeTrue(Files.isRegularFile(file), "KLUE's " + name + " is not in " + file.getParent()
        + "; datasets/README.md says how to fetch it");
    return file.toString();
  }

  /** The KlueFormatException that {@code action} failed with, however deeply Spark wrapped it. */
  static KlueFormatException klueError(Runnable action) {
    try {
      action.run();
    } catch (Exception e) { // SparkException is checked, but Scala throws it anyway
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof KlueFormatException klue) {
          return klue;
        }
      }
      throw new AssertionError("expected a KlueFormatException, got " + e, e);
    }
    throw new AssertionError("expected a KlueFormatException, but the action succeeded");
  }
}
