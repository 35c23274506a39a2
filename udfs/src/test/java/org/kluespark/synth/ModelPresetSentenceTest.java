package org.kluespark.synth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kluespark.pooling.Pooling;

/** The sentence-embedding presets of issue 13, checked by their published shapes and declarations. */
class ModelPresetSentenceTest {
  @Test
  void koSrobertaIsKlueRobertaBaseWithMeanPoolingAndNoNormalize() {
    // jhgan/ko-sroberta-multitask: klue/roberta-base fine-tuned; modules.json = Transformer + Pooling (mean).
    assertThat(ModelPreset.byId("ko-sroberta").config()).isEqualTo(ModelPreset.KLUE_ROBERTA_BASE.config());
    assertThat(ModelPreset.KO_SROBERTA.declared()).isEqualTo(SentenceModules.of(Pooling.MEAN, false));
    assertThat(ModelPreset.KO_SROBERTA.tokenizer()).isEqualTo(ModelPreset.Tokenizer.WORDPIECE);
  }

  @Test
  void koSimCseRobertaIsKlueRobertaBaseWithoutSentenceTransformersFiles() {
    assertThat(ModelPreset.byId("kosimcse-roberta").config()).isEqualTo(ModelPreset.KLUE_ROBERTA_BASE.config());
    assertThat(ModelPreset.KOSIMCSE_ROBERTA.declared()).isNull();
    assertThat(ModelPreset.KLUE_BERT_BASE.declared()).isNull();
  }
}
