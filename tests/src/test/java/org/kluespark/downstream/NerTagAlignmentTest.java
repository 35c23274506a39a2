package org.kluespark.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.kluespark.examples.NerTagAlignment;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;
import org.kluespark.datasets.KlueDatasets;

/** KLUE's character tags moved onto tokens: each token takes its first character's tag. */
class NerTagAlignmentTest {
  @Test
  void aTokenTakesTheTagOfItsFirstCharacterAndSpecialTokensNone() {
    // "내일 부산": 내 B-DT, 일 I-DT, ' ' O, 부 B-LC, 산 I-LC; tokens [CLS] 내일 부 ##산 [SEP].
    List<String> charTags = List.of("B-DT", "I-DT", "O", "B-LC", "I-LC");
    assertThat(NerTagAlignment.tokenTags(charTags, Arrays.asList(null, 0, 3, 4, null)))
        .containsExactly(null, "B-DT", "B-LC", "I-LC", null);
    // A token starting inside an entity takes the I- tag.
    assertThat(NerTagAlignment.tokenTags(charTags, List.of(1))).containsExactly("I-DT");
  }

  @Test
  void piecesOfOneCharacterContinueItsEntity() {
    // "부산" split into jamo pieces ᄇ ##ᅮ ##ᄉ ##ᅡ ##ᆫ: starts 0 0 1 1 1 → B-LC I-LC I-LC I-LC I-LC, one entity.
    assertThat(NerTagAlignment.tokenTags(List.of("B-LC", "I-LC", "B-PS"), List.of(0, 0, 1, 1, 1, 2, 2)))
        .containsExactly("B-LC", "I-LC", "I-LC", "I-LC", "I-LC", "B-PS", "I-PS");
  }

  @Test
  void anOffsetPastTheSentenceNamesTheLikelyCause() {
    assertThatThrownBy(() -> NerTagAlignment.tokenTags(List.of("O", "O"), List.of(2)))
        .hasMessage("token offset 2 is outside the sentence's 2 tagged characters; was offsetUnit set to codepoint?");
  }

  @Test
  void theNerSampleAlignsThroughMiniLmOffsets() {
    Row first = new TextEmbedder().setModelPath(TestModels.minilmDir().toString()).setInputCol("sentence")
        .setSequenceOutputCol("vectors").setTokensCol("pieces").setOffsetsCol("offsets")
        .transform(KlueDatasets.ner(SparkTestSession.get(),
            TestModels.repoRoot().resolve("datasets/klue-ner-sample.tsv").toString()).limit(1))
        .select("ner_tags", "offsets", "pieces").first();
    List<Integer> starts = first.<Row>getList(1).stream().map(o -> o == null ? null : o.getInt(0)).toList();
    List<String> tags = NerTagAlignment.tokenTags(first.getList(0), starts);
    // Sentence 1 starts "<내일:DT> <부산:LC>에서"; MiniLM (English vocabulary) splits Hangul into pieces.
    System.out.println("NER sample sentence 1 tokens " + first.getList(2) + " -> tags " + tags);
    // 내 → ᄂ ##ᅢ, 일 → ##ᄋ ##ᅵ ##ᆯ, 부 → ᄇ ##ᅮ, 산 → ##ᄉ ##ᅡ ##ᆫ, 에 → ##ᄋ ##ᅦ.
    assertThat(tags.subList(0, 14)).containsExactly(null, "B-DT", "I-DT", "I-DT", "I-DT", "I-DT",
        "B-LC", "I-LC", "I-LC", "I-LC", "I-LC", "O", "O", "O");
    assertThat(tags.get(tags.size() - 1)).isNull();
    assertThat(tags.subList(1, tags.size() - 1)).doesNotContainNull();
    assertThat(org.kluespark.examples.KlueMetrics.entities(0, tags.subList(1, tags.size() - 1)))
        .extracting(org.kluespark.examples.KlueMetrics.Entity::type).containsExactly("DT", "LC", "QT");
  }
}
