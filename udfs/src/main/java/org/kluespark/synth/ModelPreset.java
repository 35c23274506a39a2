package org.kluespark.synth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.kluespark.convert.EncoderConfig;
import org.kluespark.convert.EncoderFamily;
import org.kluespark.pooling.Pooling;

/**
 * Published shapes of the models kluespark targets, for synthetic checkpoints with random weights:
 * the KLUE models on the HF hub, KerasNLP's {@code BertBackbone} presets, the KoELECTRA v3 discriminators, and the
 * multilingual sentence-embedding models (multilingual-e5, bge-m3) with their XLM-R tokenizer and declared pooling.
 */
public enum ModelPreset {
  KLUE_BERT_BASE("klue-bert-base", bert(32000, 768, 12, 12, 3072)),
  KLUE_ROBERTA_SMALL("klue-roberta-small", roberta(32000, 768, 6, 12, 3072)),
  KLUE_ROBERTA_BASE("klue-roberta-base", roberta(32000, 768, 12, 12, 3072)),
  KLUE_ROBERTA_LARGE("klue-roberta-large", roberta(32000, 1024, 24, 16, 4096)),
  BERT_TINY_EN_UNCASED("bert_tiny_en_uncased", bert(30522, 128, 2, 2, 512)),
  BERT_SMALL_EN_UNCASED("bert_small_en_uncased", bert(30522, 512, 4, 8, 2048)),
  BERT_MEDIUM_EN_UNCASED("bert_medium_en_uncased", bert(30522, 512, 8, 8, 2048)),
  BERT_BASE_EN_UNCASED("bert_base_en_uncased", bert(30522, 768, 12, 12, 3072)),
  BERT_LARGE_EN_UNCASED("bert_large_en_uncased", bert(30522, 1024, 24, 16, 4096)),
  BERT_BASE_MULTI("bert_base_multi", bert(119547, 768, 12, 12, 3072)),
  /** monologg/koelectra-base-v3-discriminator: embeddings as wide as the hidden states, no projection. */
  KOELECTRA_BASE_V3("koelectra-base-v3", electra(35000, 768, 768, 12, 12, 3072)),
  /** monologg/koelectra-small-v3-discriminator: 128-wide embeddings projected to hidden 256. */
  KOELECTRA_SMALL_V3("koelectra-small-v3", electra(35000, 128, 256, 12, 4, 1024)),
  /**
   * intfloat/multilingual-e5-small: microsoft/Multilingual-MiniLM-L12-H384, a {@code BertModel} (model_type bert,
   * 512 positions, 2 token types) with XLM-R's SentencePiece tokenizer (250,002 ids) and a 250,037-row
   * embedding table. 118M parameters.
   */
  MULTILINGUAL_E5_SMALL("multilingual-e5-small", bert(250037, 384, 12, 12, 1536), Tokenizer.XLMR_UNIGRAM,
      SentenceModules.MEAN_NORMALIZED),
  /** intfloat/multilingual-e5-base: xlm-roberta-base. 278M parameters. */
  MULTILINGUAL_E5_BASE("multilingual-e5-base", xlmRoberta(768, 12, 12, 3072, 514), Tokenizer.XLMR_UNIGRAM,
      SentenceModules.MEAN_NORMALIZED),
  /** intfloat/multilingual-e5-large: xlm-roberta-large. 560M parameters (weights over 2 GB: external data). */
  MULTILINGUAL_E5_LARGE("multilingual-e5-large", xlmRoberta(1024, 24, 16, 4096, 514), Tokenizer.XLMR_UNIGRAM,
      SentenceModules.MEAN_NORMALIZED),
  /** BAAI/bge-m3 (dense vectors): xlm-roberta-large's shape with 8,194 positions (8,192 tokens). 568M parameters. */
  BGE_M3("bge-m3", xlmRoberta(1024, 24, 16, 4096, 8194), Tokenizer.XLMR_UNIGRAM,
      SentenceModules.CLS_NORMALIZED),
  /**
   * jhgan/ko-sroberta-multitask: klue/roberta-base fine-tuned with sentence-transformers; its modules.json is
   * Transformer + Pooling (mean tokens), with no Dense and no Normalize.
   */
  KO_SROBERTA("ko-sroberta", roberta(32000, 768, 12, 12, 3072), Tokenizer.WORDPIECE,
      SentenceModules.of(Pooling.MEAN, false)),
  /**
   * BM-K/KoSimCSE-roberta: klue/roberta-base trained with SimCSE; a plain transformers checkpoint (no
   * sentence-transformers files) whose authors take the [CLS] token's last hidden state: embed with pooling=cls
   * (auto would use the pooler, which SimCSE did not train for inference).
   */
  KOSIMCSE_ROBERTA("kosimcse-roberta", roberta(32000, 768, 12, 12, 3072));

  /** The tokenizer a synthetic checkpoint of the preset ships. */
  public enum Tokenizer {
    /** vocab.txt + tokenizer.json, WordPiece learnt from the corpus (KLUE, BERT presets). */
    WORDPIECE,
    /** sentencepiece.bpe.model-style Unigram pieces in XLM-R's fairseq id layout, as tokenizer.json. */
    XLMR_UNIGRAM
  }

  private final String id;
  private final EncoderConfig config;
  private final Tokenizer tokenizer;
  private final SentenceModules declared;

  ModelPreset(String id, EncoderConfig config) {
    this(id, config, Tokenizer.WORDPIECE, null);
  }

  ModelPreset(String id, EncoderConfig config, Tokenizer tokenizer, SentenceModules declared) {
    this.id = id;
    this.config = config;
    this.tokenizer = tokenizer;
    this.declared = declared;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** The sentence-transformers pooling and normalization the published model declares, or null for none. */
  public SentenceModules declared() {
    return declared;
  }

  public String id() {
    return id;
  }

  public EncoderConfig config() {
    return config;
  }

  /** Whether the real model lowercases (the English uncased presets); KLUE and multilingual are cased. */
  public boolean lowercase() {
    return id.endsWith("_uncased");
  }

  public static ModelPreset byId(String id) {
    String wanted = id.toLowerCase(Locale.ROOT).replace('_', '-');
    for (ModelPreset preset : values()) {
      if (preset.id.replace('_', '-').equals(wanted)) {
        return preset;
      }
    }
    throw new IllegalArgumentException("Unknown preset \"" + id + "\"; choose one of " + ids()
        + ", or give the sizes with --hidden-size/--layers/... instead.");
  }

  public static String ids() {
    return Arrays.stream(values()).map(ModelPreset::id).collect(Collectors.joining(", "));
  }

  /** BERT: 512 positions, two token types, LayerNorm eps 1e-12, [PAD] = 0. */
  private static EncoderConfig bert(int vocab, int hidden, int layers, int heads, int intermediate) {
    return new EncoderConfig(EncoderFamily.BERT, vocab, hidden, layers, heads, intermediate, "gelu", 512, 2, 1e-12, 0);
  }

  /** KoELECTRA v3 discriminators: BERT's 512 positions, two token types, eps 1e-12, [PAD] = 0, WordPiece. */
  private static EncoderConfig electra(int vocab, int embedding, int hidden, int layers, int heads, int intermediate) {
    return new EncoderConfig(EncoderFamily.ELECTRA, vocab, hidden, layers, heads, intermediate, "gelu", 512, 2, 1e-12, 0,
        embedding);
  }

  /** XLM-R: vocabulary 250,002 (fairseq's 4 specials, 249,997 pieces, mask), one token type, eps 1e-5, pad 1. */
  private static EncoderConfig xlmRoberta(int hidden, int layers, int heads, int intermediate, int positions) {
    return new EncoderConfig(EncoderFamily.XLM_ROBERTA, 250002, hidden, layers, heads, intermediate, "gelu", positions,
        1, 1e-5, 1);
  }

  /** KLUE RoBERTa: 514 positions (512 tokens after pad+1), one token type, eps 1e-5, [PAD] = 1. */
  private static EncoderConfig roberta(int vocab, int hidden, int layers, int heads, int intermediate) {
    return new EncoderConfig(EncoderFamily.ROBERTA, vocab, hidden, layers, heads, intermediate, "gelu", 514, 1, 1e-5, 1);
  }
}
