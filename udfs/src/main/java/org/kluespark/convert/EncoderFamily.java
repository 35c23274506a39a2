package org.kluespark.convert;

import java.util.Locale;

/**
 * The encoder families the converter writes. They share one transformer; they differ in how
 * positions are numbered and whether segment ids are an input.
 */
public enum EncoderFamily {
  /** BERT: positions 0..n-1, token type ids an input. KLUE BERT, en/multilingual BERT, BertBackbone. */
  BERT,
  /**
   * RoBERTa: positions numbered from {@code pad_token_id + 1} for real tokens (padding keeps
   * {@code pad_token_id}), a single token type and no {@code token_type_ids} input. KLUE RoBERTa.
   */
  ROBERTA,
  /**
   * ELECTRA discriminator (KoELECTRA): BERT's encoder whose embeddings are {@code embedding_size} wide, then
   * projected to {@code hidden_size} by {@code embeddings_project} when the two differ; no pooler.
   */
  ELECTRA,
  /**
   * XLM-RoBERTa ({@code model_type "xlm-roberta"}): RoBERTa's graph with its own SentencePiece vocabulary
   * (250,002 in xlm-roberta-base/large, pad 1). HF's {@code XLMRobertaModel} keeps RoBERTa's module names
   * and {@code base_model_prefix = "roberta"}, so task checkpoints carry {@code roberta.} weights.
   * multilingual-e5, bge-m3.
   */
  XLM_ROBERTA;

  /** The family of a config.json {@code model_type}, or an error naming the supported ones. */
  public static EncoderFamily fromModelType(String modelType, String source) {
    if (modelType == null) {
      throw new ConversionException(source + " has no \"model_type\"; expected \"bert\", \"roberta\", \"electra\" "
          + "or \"xlm-roberta\".");
    }
    return switch (modelType.toLowerCase(Locale.ROOT)) {
      case "bert" -> BERT;
      case "roberta" -> ROBERTA;
      case "electra" -> ELECTRA;
      case "xlm-roberta" -> XLM_ROBERTA;
      default -> throw new ConversionException(source + ": model_type \"" + modelType
          + "\" is not supported; kluespark converts \"bert\" (KLUE BERT, BERT, BertBackbone), \"roberta\" "
          + "(KLUE RoBERTa), \"electra\" (KoELECTRA discriminators) and \"xlm-roberta\" (multilingual-e5, bge-m3) "
          + "encoders.");
    };
  }

  /**
   * The prefix HF puts before weight names in task checkpoints ({@code bert.}, {@code roberta.},
   * {@code electra.}); XLM-R's is {@code roberta.} too (its {@code base_model_prefix}).
   */
  public String weightPrefix() {
    return switch (this) { // exhaustive on purpose: a new family must say its prefix
      case BERT -> "bert.";
      case ROBERTA, XLM_ROBERTA -> "roberta.";
      case ELECTRA -> "electra.";
    };
  }

  /** Whether the family's HF model can carry BERT's pooler; ElectraModel has none, so stray pooler.* are ignored as HF does. */
  public boolean canHavePooler() {
    return this != ELECTRA;
  }

  /** config.json's {@code model_type}. */
  public String modelType() {
    return switch (this) {
      case BERT -> "bert";
      case ROBERTA -> "roberta";
      case ELECTRA -> "electra";
      case XLM_ROBERTA -> "xlm-roberta";
    };
  }

  /** HF's base model class, for config.json's {@code architectures}. */
  public String architecture() {
    return switch (this) {
      case BERT -> "BertModel";
      case ROBERTA -> "RobertaModel";
      case ELECTRA -> "ElectraModel";
      case XLM_ROBERTA -> "XLMRobertaModel";
    };
  }

  /**
   * Whether positions are numbered as RoBERTa does (from {@code pad_token_id + 1}, padding keeping
   * {@code pad_token_id}) with a single token type and no {@code token_type_ids} input.
   */
  public boolean robertaPositions() {
    return switch (this) {
      case BERT, ELECTRA -> false;
      case ROBERTA, XLM_ROBERTA -> true;
    };
  }

  /** The pad id a config.json without {@code pad_token_id} implies: 1 for the RoBERTa graphs, else 0. */
  public int defaultPadTokenId() {
    return robertaPositions() ? 1 : 0;
  }
}
