package org.kluespark.tokenize.wordpiece;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.convert.ConversionException;

class WordPieceTokenizerJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  // KLUE's order: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4
  private static final String KLUE_VOCAB = String.join("\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
      "서울", "##에서", "날씨", "##가", "좋", "##다", ".", "Hello", "hello", "##s", "ca", "##fe", "café", "<s>") + "\n";

  @TempDir
  Path dir;

  @Test
  void kluesConfigGivesACasedTokenizerWithItsIds() throws IOException {
    Files.writeString(dir.resolve("vocab.txt"), KLUE_VOCAB);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false, \"do_basic_tokenize\": true,"
        + " \"never_split\": null, \"unk_token\": \"[UNK]\", \"sep_token\": \"[SEP]\", \"pad_token\": \"[PAD]\","
        + " \"cls_token\": \"[CLS]\", \"mask_token\": \"[MASK]\", \"tokenize_chinese_chars\": true,"
        + " \"strip_accents\": null, \"model_max_length\": 512, \"tokenizer_class\": \"BertTokenizer\"}");
    JsonNode json = JSON.readTree(WordPieceTokenizerJson.fromCheckpoint(dir));

    assertThat(json.get("normalizer").toString()).isEqualTo("{\"type\":\"BertNormalizer\",\"clean_text\":true,"
        + "\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":false}");
    assertThat(json.get("model").get("vocab").get("##에서").intValue()).isEqualTo(6);
    assertThat(json.get("post_processor").get("special_tokens").toString()).isEqualTo(
        "{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[2],\"tokens\":[\"[CLS]\"]},"
        + "\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[3],\"tokens\":[\"[SEP]\"]}}");
    assertThat(json.get("added_tokens").findValuesAsText("content"))
        .containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    assertThat(json.get("added_tokens").get(4).toString()).isEqualTo("{\"id\":4,\"content\":\"[MASK]\","
        + "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}");

    try (HuggingFaceTokenizer tokenizer = load(json.toString())) {
      Encoding pair = tokenizer.encode("서울에서 날씨가 좋다.", "Hello cafes");
      assertThat(pair.getTokens()).containsExactly(
          "[CLS]", "서울", "##에서", "날씨", "##가", "좋", "##다", ".", "[SEP]", "Hello", "ca", "##fe", "##s", "[SEP]");
      assertThat(pair.getTypeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
    }
  }

  @Test
  void defaultsLowercaseAndStripAccentsWithoutAConfig() throws IOException {
    Files.writeString(dir.resolve("vocab.txt"), KLUE_VOCAB);
    JsonNode json = JSON.readTree(WordPieceTokenizerJson.fromCheckpoint(dir));
    assertThat(json.get("normalizer").get("lowercase").booleanValue()).isTrue();
    assertThat(json.get("normalizer").get("strip_accents").isNull()).isTrue();
    try (HuggingFaceTokenizer tokenizer = load(json.toString())) {
      assertThat(tokenizer.encode("HELLO Café", false, false).getTokens()).containsExactly("hello", "ca", "##fe");
    }
  }

  @Test
  void explicitStripAccentsAndChineseCharsAreKept() throws IOException {
    Files.writeString(dir.resolve("vocab.txt"), KLUE_VOCAB);
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"do_lower_case\": true, \"strip_accents\": false, \"tokenize_chinese_chars\": false}");
    JsonNode normalizer = JSON.readTree(WordPieceTokenizerJson.fromCheckpoint(dir)).get("normalizer");
    assertThat(normalizer.get("strip_accents").booleanValue()).isFalse();
    assertThat(normalizer.get("handle_chinese_chars").booleanValue()).isFalse();
    try (HuggingFaceTokenizer tokenizer = load(WordPieceTokenizerJson.fromCheckpoint(dir))) {
      assertThat(tokenizer.encode("Café", false, false).getTokens()).containsExactly("café");
    }
  }

  @Test
  void specialTokensMapOverridesTheConfigAndAddedTokenObjectsKeepTheirFlags() throws IOException {
    Files.writeString(dir.resolve("vocab.txt"), KLUE_VOCAB + "<cls>\n<sep>\n");
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"cls_token\": \"[MASK]\", \"sep_token\": \"<sep>\", \"bos_token\": \"<s>\"}");
    Files.writeString(dir.resolve("special_tokens_map.json"), "{\"cls_token\": {\"content\": \"<cls>\", "
        + "\"lstrip\": true, \"normalized\": true, \"__type\": \"AddedToken\"}}");
    JsonNode json = JSON.readTree(WordPieceTokenizerJson.fromCheckpoint(dir));

    assertThat(json.get("post_processor").get("single").toString()).isEqualTo(
        "[{\"SpecialToken\":{\"id\":\"<cls>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
        + "{\"SpecialToken\":{\"id\":\"<sep>\",\"type_id\":0}}]");
    assertThat(json.get("post_processor").get("special_tokens").get("<sep>").get("ids").get(0).intValue())
        .isEqualTo(20);
    JsonNode cls = json.get("added_tokens").get(json.get("added_tokens").size() - 2);
    assertThat(cls.toString()).isEqualTo("{\"id\":19,\"content\":\"<cls>\",\"single_word\":false,"
        + "\"lstrip\":true,\"rstrip\":false,\"normalized\":true,\"special\":true}");
    assertThat(json.get("added_tokens").findValuesAsText("content"))
        .containsExactly("[PAD]", "[UNK]", "[MASK]", "<s>", "<cls>", "<sep>");
  }

  @Test
  void aDuplicateTokenKeepsItsLastLineAsHfLoadVocabDoes() throws IOException {
    // CRLF and a lone CR end lines too, as Python's universal newlines read them.
    Files.writeString(dir.resolve("vocab.txt"), "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\n[MASK]\nabc\n[UNK]\nxyz");
    JsonNode json = JSON.readTree(WordPieceTokenizerJson.fromCheckpoint(dir));
    assertThat(json.get("model").get("vocab").toString())
        .isEqualTo("{\"[PAD]\":0,\"[CLS]\":2,\"[SEP]\":3,\"[MASK]\":4,\"abc\":5,\"[UNK]\":6,\"xyz\":7}");
    assertThat(json.get("added_tokens").findValuesAsText("content"))
        .containsExactly("[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]");
    try (HuggingFaceTokenizer tokenizer = load(json.toString())) {
      assertThat(tokenizer.encode("abc q", false, false).getIds()).containsExactly(5, 6);
    }
  }

  @Test
  void buildMatchesFromCheckpoint() throws IOException {
    Files.writeString(dir.resolve("vocab.txt"), KLUE_VOCAB);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
    List<String> vocab = VocabFile.read(dir.resolve("vocab.txt"));
    assertThat(vocab).hasSize(19);
    assertThat(WordPieceTokenizerJson.build(vocab, WordPieceOptions.klue()))
        .isEqualTo(WordPieceTokenizerJson.fromCheckpoint(dir));
  }

  @Test
  void missingVocabTxtSaysWhatToCopy() throws IOException {
    assertThatThrownBy(() -> WordPieceTokenizerJson.fromCheckpoint(dir))
        .isInstanceOf(ConversionException.class)
        .hasMessage("No vocab.txt in " + dir + ": a WordPiece (BERT-style) tokenizer is built from it. Copy "
            + "vocab.txt (or a ready tokenizer.json) from the model's repository into " + dir + ".");
    Files.writeString(dir.resolve("vocab.json"), "{}");
    assertThatThrownBy(() -> WordPieceTokenizerJson.fromCheckpoint(dir))
        .hasMessageContaining("this directory has vocab.json, a BPE vocabulary, which is not supported");
  }

  @Test
  void aSpecialTokenMissingFromTheVocabIsNamed() throws IOException {
    Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nabc\n");
    assertThatThrownBy(() -> WordPieceTokenizerJson.fromCheckpoint(dir))
        .isInstanceOf(ConversionException.class)
        .hasMessage("The mask_token '[MASK]' is not in " + dir.resolve("vocab.txt") + ". Add it to vocab.txt, "
            + "or name a token that is in it in tokenizer_config.json or special_tokens_map.json.");

    assertThatThrownBy(() -> WordPieceTokenizerJson.build(List.of("[PAD]", "[UNK]", "[CLS]", "[MASK]"),
        WordPieceOptions.klue()))
        .hasMessageStartingWith("The sep_token '[SEP]' is not in the vocabulary.");
  }

  @Test
  void aByteOrderMarkIsPointedOut() throws IOException {
    Files.writeString(dir.resolve("vocab.txt"), "\uFEFF" + KLUE_VOCAB);
    assertThatThrownBy(() -> WordPieceTokenizerJson.fromCheckpoint(dir))
        .hasMessageContaining("The pad_token '[PAD]' is not in ")
        .hasMessageContaining("Its first line starts with a byte-order mark, which HF keeps as part of the "
            + "token: save the file as UTF-8 without BOM.");
  }

  @Test
  void badConfigsNameTheFileAndField() throws IOException {
    Files.writeString(dir.resolve("vocab.txt"), KLUE_VOCAB);
    Path config = dir.resolve("tokenizer_config.json");
    Files.writeString(config, "{\"do_lower_case\": \"no\"}");
    assertThatThrownBy(() -> WordPieceTokenizerJson.fromCheckpoint(dir))
        .isInstanceOf(ConversionException.class)
        .hasMessage(config + ": do_lower_case must be true, false or null, got \"no\".");

    Files.writeString(config, "{\"unk_token\": {\"lstrip\": true}}");
    assertThatThrownBy(() -> WordPieceTokenizerJson.fromCheckpoint(dir))
        .hasMessage(config + ": unk_token is an AddedToken object without a string \"content\": "
            + "{\"lstrip\":true}. Give the token text as \"content\".");

    Files.writeString(config, "{\"do_lower_case\": tru");
    assertThatThrownBy(() -> WordPieceTokenizerJson.fromCheckpoint(dir))
        .hasMessageStartingWith(config + " is not valid JSON (")
        .hasMessageEndingWith("). Fix or delete it; without it BertTokenizer's defaults apply.");
  }

  @Test
  void nonUtf8VocabIsRejected() throws IOException {
    Files.write(dir.resolve("vocab.txt"), new byte[] {'[', 'P', 'A', 'D', ']', '\n', (byte) 0xC3, '\n'});
    assertThatThrownBy(() -> WordPieceTokenizerJson.fromCheckpoint(dir))
        .isInstanceOf(ConversionException.class)
        .hasMessageStartingWith(dir.resolve("vocab.txt") + " is not valid UTF-8 (")
        .hasMessageEndingWith("); HF reads vocab.txt as UTF-8. Re-encode it.");
  }

  static HuggingFaceTokenizer load(String json) throws IOException {
    return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
        Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false"));
  }
}
