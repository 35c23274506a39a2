package org.kluespark.tokenize.sentencepiece;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.ConversionException;
import org.kluespark.testing.TestModels;
import org.kluespark.tokenize.TextTokenizer;
import org.kluespark.tokenize.TokenizedText;

/**
 * The tokenizer.json built from a SentencePiece Unigram model must give the ids HF's slow XLMRobertaTokenizer
 * gives (SentencePiece itself plus fairseq's offset, recorded by tests/scripts/make_unigram_fixtures.py), through
 * kluespark's own tokenizer: special tokens, pair template and token types included.
 */
class XlmRobertaTokenizerJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Long enough that nothing in the fixtures is truncated. */
  private static final int NO_TRUNCATION = 8192;

  private static SentencePieceModel model;
  private static JsonNode built;

  @BeforeAll
  static void build() throws IOException {
    model = SentencePieceModel.read(UnigramFixtures.model());
    built = JSON.readTree(UnigramFixtures.tokenizerJson());
  }

  @Test
  void readsTheSentencePieceProto() {
    assertThat(model.pieces()).hasSize(2000);
    assertThat(model.pieces().subList(0, 3)).extracting(SentencePieceModel.Piece::piece)
        .containsExactly("<unk>", "<s>", "</s>");
    assertThat(model.modelType()).isEqualTo(SentencePieceModel.UNIGRAM);
    assertThat(List.of(model.unkId(), model.bosId(), model.eosId(), model.padId())).containsExactly(0, 1, 2, -1);
    assertThat(model.normalizerName()).isEqualTo("nmt_nfkc");
    assertThat(model.precompiledCharsmap()).hasSizeGreaterThan(100_000);
    assertThat(model.pieces().subList(3, 2000))
        .allMatch(p -> p.score() < 0 && p.type() == SentencePieceModel.PieceType.NORMAL);
  }

  @Test
  void hasFairseqIdsAndXlmRobertasTemplate() {
    JsonNode vocab = built.path("model").path("vocab");
    assertThat(built.path("model").path("type").asText()).isEqualTo("Unigram");
    assertThat(vocab.size()).isEqualTo(2002); // 4 fairseq specials + pieces 3..1999 + <mask>, as 250,000 -> 250,002
    assertThat(List.of(vocab.get(0).get(0).asText(), vocab.get(1).get(0).asText(), vocab.get(2).get(0).asText(),
        vocab.get(3).get(0).asText(), vocab.get(2001).get(0).asText()))
        .containsExactly("<s>", "<pad>", "</s>", "<unk>", "<mask>");
    assertThat(vocab.get(4).get(0).asText()).isEqualTo(model.pieces().get(3).piece());
    assertThat(vocab.get(100).get(1).asDouble()).isEqualTo((double) model.pieces().get(99).score());
    assertThat(built.path("model").path("unk_id").asInt()).isEqualTo(3);
    assertThat(built.path("post_processor").path("pair").toString())
        .isEqualTo("[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
            + "{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}},"
            + "{\"Sequence\":{\"id\":\"B\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}}]");
    assertThat(built.path("normalizer").path("normalizers").get(0).path("precompiled_charsmap").asText())
        .isEqualTo(java.util.Base64.getEncoder().encodeToString(model.precompiledCharsmap()));
  }

  @Test
  void encodesTheDatasetsSamplesAsSentencePieceWithFairseqIds() throws IOException {
    JsonNode expected = JSON.readTree(UnigramFixtures.dir().resolve("expected-datasets.json").toFile());
    List<String> mismatches = new ArrayList<>();
    int longest = 0;
    try (TextTokenizer tokenizer = tokenizer()) {
      for (JsonNode single : expected.get("singles")) {
        TokenizedText got = tokenizer.encode(single.get("text").asText(), null);
        longest = Math.max(longest, got.ids().length);
        compare(single.get("text").asText(), ids(single.get("ids")), got, mismatches);
      }
      for (JsonNode pair : expected.get("pairs")) {
        TokenizedText got = tokenizer.encode(pair.get("a").asText(), pair.get("b").asText());
        compare(pair.get("a").asText() + " || " + pair.get("b").asText(), ids(pair.get("ids")), got, mismatches);
      }
    }
    System.out.printf("datasets/: %d texts and %d pairs, %d mismatches (longest %d tokens)%n",
        expected.get("singles").size(), expected.get("pairs").size(), mismatches.size(), longest);
    assertThat(mismatches.stream().limit(5)).isEmpty();
    assertThat(expected.get("singles").size()).isGreaterThan(1000);
    assertThat(expected.get("pairs").size()).isEqualTo(120);
  }

  /**
   * KLUE dev sentences and pairs against ids recorded without their text. {@code -Dkluespark.unigram.klueIds=FILE}
   * points at a full list written by {@code make_unigram_fixtures.py --klue-all FILE} instead of the committed subset.
   */
  @Test
  void encodesKlueDevSentencesAndPairsAsSentencePiece() throws IOException {
    Path klue = TestModels.sharedKlue();
    Assumptions.assumeTrue(Files.isRegularFile(klue.resolve("klue-sts-v1.1_dev.json")),
        "This test needs the KLUE dev sets in ../shared/klue (" + klue + "); see datasets/README.md");
    String idsFile = System.getProperty("kluespark.unigram.klueIds",
        UnigramFixtures.dir().resolve("expected-klue.json").toString());
    JsonNode expected = JSON.readTree(Path.of(idsFile).toFile()).get("records");
    Map<String, JsonNode> records = new HashMap<>();
    for (String file : List.of("klue-sts-v1.1_dev.json", "klue-nli-v1.1_dev.json")) {
      for (JsonNode record : JSON.readTree(klue.resolve(file).toFile())) {
        records.put(file + "/" + record.get("guid").asText(), record);
      }
    }
    List<String> mismatches = new ArrayList<>();
    try (TextTokenizer tokenizer = tokenizer()) {
      for (JsonNode want : expected) {
        JsonNode record = records.get(want.get("file").asText() + "/" + want.get("guid").asText());
        assertThat(record).as("KLUE record " + want.get("guid")).isNotNull();
        String a = record.get(want.get("fields").get(0).asText()).asText();
        String b = record.get(want.get("fields").get(1).asText()).asText();
        long[] idsA = ids(want.get("a"));
        long[] idsB = ids(want.get("b"));
        compare(want.get("guid").asText() + " a", idsA, tokenizer.encode(a, null), mismatches);
        compare(want.get("guid").asText() + " b", idsB, tokenizer.encode(b, null), mismatches);
        // Unigram splits each text alone: the pair is <s> a </s></s> b </s>.
        long[] pair = LongStream.concat(Arrays.stream(idsA, 0, idsA.length - 1),
            LongStream.concat(LongStream.of(2, 2), Arrays.stream(idsB, 1, idsB.length))).toArray();
        compare(want.get("guid").asText() + " pair", pair, tokenizer.encode(a, b), mismatches);
      }
    }
    System.out.printf("KLUE dev (%s): %d sentences and %d pairs, %d mismatches%n", idsFile, 2 * expected.size(),
        expected.size(), mismatches.size());
    assertThat(mismatches.stream().limit(5)).isEmpty();
    assertThat(expected.size()).isGreaterThanOrEqualTo(200);
  }

  @Test
  void truncatesPairsToMaxSeqLengthWithTheTemplate() {
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(UnigramFixtures.tokenizerJson().getBytes(
        StandardCharsets.UTF_8), 12)) {
      TokenizedText pair = tokenizer.encode(
          "체크인할 때 호스트가 직접 나와서 동네 맛집 지도를 건네주었습니다.",
          "호스트가 체크인 때 직접 손님을 맞아 주었다.");
      assertThat(pair.ids()).hasSize(12);
      assertThat(pair.truncated()).isTrue();
      long[] ids = pair.ids();
      assertThat(ids[0]).isZero();
      assertThat(ids[11]).isEqualTo(2);
      assertThat(Arrays.stream(ids).filter(id -> id == 2).count()).isEqualTo(3); // </s></s> between, </s> at the end
      assertThat(pair.typeIds()).containsOnly(0L);
      assertThat(tokenizer.tokens("한국어 문장")[0]).isEqualTo("<s>");
      assertThat(tokenizer.tokens("한국어 문장")[1]).startsWith(XlmRobertaTokenizerJson.SPACE);
    }
  }

  @Test
  void offsetsPointAtEachPiecesTextInBothSegments() {
    String a = "호스트가 직접 나와서";
    String b = "지도를 건네주었습니다.";
    try (TextTokenizer tokenizer = tokenizer()) {
      TokenizedText pair = tokenizer.encode(a, b, org.kluespark.tokenize.OffsetUnit.UTF16);
      assertThat(pair.spans()[0]).as("<s> has no text").isNull();
      int pieces = 0;
      for (int t = 0; t < pair.tokens().length; t++) {
        if (pair.spans()[t] == null) {
          continue;
        }
        String text = pair.spans()[t].segment() == 0 ? a : b;
        String surface = pair.tokens()[t].replace(XlmRobertaTokenizerJson.SPACE, "");
        if (!surface.isEmpty()) {
          assertThat(text.substring(pair.spans()[t].start(), pair.spans()[t].end()).strip()).as(pair.tokens()[t])
              .isEqualTo(surface);
          pieces++;
        }
      }
      assertThat(pieces).isGreaterThan(5);
      assertThat(pair.spans()[pair.length() - 1]).as("</s> has no text").isNull();
    }
  }

  @Test
  void refusesWhatXlmRobertasMappingDoesNotFit(@TempDir Path dir) throws IOException {
    List<SentencePieceModel.Piece> pieces = new ArrayList<>(model.pieces());
    SentencePieceModel bpe = new SentencePieceModel(pieces, 2, 0, 1, 2, -1, false, "nmt_nfkc", new byte[0], true,
        true, true);
    assertThatThrownBy(() -> XlmRobertaTokenizerJson.build(bpe, "/m/sentencepiece.bpe.model"))
        .isInstanceOf(ConversionException.class)
        .hasMessageContaining("/m/sentencepiece.bpe.model is a SentencePiece model of type 2, not Unigram")
        .hasMessageContaining("tokenizer.json");
    SentencePieceModel padFirst = new SentencePieceModel(pieces, 1, 1, 2, 3, 0, false, "", new byte[0], true,
        true, true);
    assertThatThrownBy(() -> XlmRobertaTokenizerJson.build(padFirst, "/m/sentencepiece.bpe.model"))
        .hasMessageContaining("does not start with <unk>, <s>, </s> (ids 0, 1, 2; it has unk_id 1");
    Files.write(dir.resolve(XlmRobertaTokenizerJson.SPM_FILE), "not a protobuf".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> XlmRobertaTokenizerJson.fromCheckpoint(dir))
        .isInstanceOf(ConversionException.class)
        .hasMessageContaining(dir.resolve(XlmRobertaTokenizerJson.SPM_FILE) + " is not a SentencePiece model");
  }

  private static TextTokenizer tokenizer() {
    return TextTokenizer.fromJson(UnigramFixtures.tokenizerJson().getBytes(StandardCharsets.UTF_8), NO_TRUNCATION);
  }

  private static void compare(String what, long[] expected, TokenizedText got, List<String> mismatches) {
    if (!Arrays.equals(expected, got.ids()) || Arrays.stream(got.typeIds()).anyMatch(t -> t != 0)) {
      mismatches.add(what + ": expected " + Arrays.toString(expected) + " got " + Arrays.toString(got.ids())
          + " types " + Arrays.toString(got.typeIds()));
    }
  }

  private static long[] ids(JsonNode array) {
    long[] ids = new long[array.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = array.get(i).asLong();
    }
    return ids;
  }
}
