package org.kluespark.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kluespark.checkpoint.WeightTensor;
import org.kluespark.synth.ModelPreset;
import org.kluespark.synth.SyntheticWeights;

/** Reading every dimension from config.json, and refusing what the converter cannot write faithfully. */
class EncoderConfigTest {
  static final String KLUE_ROBERTA_LARGE = """
      {"architectures": ["RobertaForMaskedLM"], "model_type": "roberta", "vocab_size": 32000, "hidden_size": 1024,
       "num_hidden_layers": 24, "num_attention_heads": 16, "intermediate_size": 4096, "hidden_act": "gelu",
       "max_position_embeddings": 514, "type_vocab_size": 1, "layer_norm_eps": 1e-05, "pad_token_id": 1,
       "bos_token_id": 0, "eos_token_id": 2, "tokenizer_class": "BertTokenizer"}""";

  @Test
  void readsKlueRobertaLargeAsPublished() {
    EncoderConfig config = EncoderConfig.parse(KLUE_ROBERTA_LARGE, "config.json");
    assertThat(config).isEqualTo(ModelPreset.KLUE_ROBERTA_LARGE.config());
    assertThat(config.positionOffset()).isEqualTo(2);
    assertThat(config.maxSequenceLength()).isEqualTo(512);
    assertThat(config.hasTokenTypeInput()).isFalse();
    assertThat(config.headSize()).isEqualTo(64);
    assertThat(EncoderConfig.parse(config.toJson(), "round trip")).isEqualTo(config);
  }

  /** intfloat/multilingual-e5-base's config.json (xlm-roberta-base's shape). */
  @Test
  void readsXlmRobertaAsRobertasGraphWithItsOwnVocabulary() {
    String e5Base = """
        {"architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "vocab_size": 250002,
         "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
         "hidden_act": "gelu", "max_position_embeddings": 514, "type_vocab_size": 1, "layer_norm_eps": 1e-05,
         "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2, "position_embedding_type": "absolute"}""";
    EncoderConfig config = EncoderConfig.parse(e5Base, "config.json");
    assertThat(config).isEqualTo(ModelPreset.MULTILINGUAL_E5_BASE.config());
    assertThat(config.family()).isEqualTo(EncoderFamily.XLM_ROBERTA);
    assertThat(config.positionOffset()).isEqualTo(2);
    assertThat(config.maxSequenceLength()).isEqualTo(512);
    assertThat(config.hasTokenTypeInput()).isFalse();
    assertThat(EncoderConfig.parse(e5Base.replace("\"pad_token_id\": 1,", ""), "c").padTokenId()).isEqualTo(1);
    assertThat(config.toJson()).contains("\"XLMRobertaModel\"").contains("\"xlm-roberta\"");
  }

  @Test
  void refusesApproximateGeluAndOtherActivations() {
    assertThatThrownBy(() -> EncoderConfig.parse(KLUE_ROBERTA_LARGE.replace("\"gelu\"", "\"gelu_new\""), "c.json"))
        .isInstanceOf(ConversionException.class)
        .hasMessage("config.json: hidden_act \"gelu_new\" is not supported; kluespark writes exact (erf) GELU, "
            + "which BERT and RoBERTa checkpoints use (\"gelu\").");
    assertThatThrownBy(() -> EncoderConfig.parse(KLUE_ROBERTA_LARGE.replace("\"gelu\"", "\"relu\""), "c.json"))
        .hasMessageContaining("hidden_act \"relu\" is not supported");
  }

  @Test
  void namesAMissingOrMalformedField() {
    assertThatThrownBy(() -> EncoderConfig.parse(KLUE_ROBERTA_LARGE.replace("\"num_hidden_layers\": 24,", ""), "/m/config.json"))
        .hasMessage("/m/config.json has no \"num_hidden_layers\"; the converter reads every dimension from config.json.");
    assertThatThrownBy(() -> EncoderConfig.parse(KLUE_ROBERTA_LARGE.replace("\"hidden_size\": 1024", "\"hidden_size\": \"big\""), "/m/config.json"))
        .hasMessage("/m/config.json: \"hidden_size\" must be an integer, got \"big\".");
    assertThatThrownBy(() -> EncoderConfig.parse(KLUE_ROBERTA_LARGE.replace("\"num_attention_heads\": 16", "\"num_attention_heads\": 15"), "c"))
        .hasMessage("config.json: hidden_size 1024 is not a multiple of num_attention_heads 15.");
    assertThatThrownBy(() -> EncoderConfig.parse("[1, 2]", "/m/config.json"))
        .hasMessage("/m/config.json is not a JSON object; expected a HuggingFace config.json.");
    assertThatThrownBy(() -> EncoderConfig.parse(KLUE_ROBERTA_LARGE.replace("\"roberta\"", "\"deberta-v2\""), "/m/config.json"))
        .hasMessageStartingWith("/m/config.json: model_type \"deberta-v2\" is not supported;")
        .hasMessageContaining("\"xlm-roberta\" (multilingual-e5, bge-m3)");
  }

  @Test
  void weightsThatDoNotMatchTheConfigAreRefusedWithEveryProblemNamed() {
    EncoderConfig small = new EncoderConfig(EncoderFamily.BERT, 100, 16, 2, 4, 32, "gelu", 20, 2, 1e-12, 0);
    Map<String, WeightTensor> weights = SyntheticWeights.generate(small, 1, true);
    EncoderConfig claimsWider = new EncoderConfig(EncoderFamily.BERT, 100, 16, 2, 4, 64, "gelu", 20, 2, 1e-12, 0);
    assertThatThrownBy(() -> EncoderWeights.of(claimsWider, weights, "/ckpt"))
        .isInstanceOf(ConversionException.class)
        .hasMessageStartingWith("The weights in /ckpt do not match its config.json (6 problem(s)): "
            + "encoder.layer.0.intermediate.dense.weight has shape [32, 16], config.json implies [64, 16]")
        .hasMessageEndingWith("Check that config.json belongs to these weights and that model_type is right.");
    weights.remove("encoder.layer.1.output.dense.bias");
    assertThatThrownBy(() -> EncoderWeights.of(small, weights, "/ckpt"))
        .hasMessageContaining("missing encoder.layer.1.output.dense.bias");
  }

  @Test
  void taskPrefixesAndTfNamesAreNormalisedAndHeadsIgnored() {
    assertThat(EncoderWeights.canonicalName("roberta.encoder.layer.0.output.LayerNorm.gamma", "roberta."))
        .isEqualTo("encoder.layer.0.output.LayerNorm.weight");
    assertThat(EncoderWeights.canonicalName("bert.embeddings.LayerNorm.beta", "bert.")).isEqualTo("embeddings.LayerNorm.bias");
    assertThat(EncoderWeights.canonicalName("lm_head.dense.weight", "roberta.")).isNull();
    assertThat(EncoderWeights.canonicalName("classifier.weight", "bert.")).isNull();
    assertThat(EncoderWeights.canonicalName("bert.embeddings.position_ids", "bert.")).isNull();
  }
}
