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
  ELECTRA;

  /** The family of a config.json {@code model_type}, or an error naming the supported ones. */
  public static EncoderFamily fromModelType(String modelType, String source) {
    if (modelType == null) {
      throw new ConversionException(source + " has no \"model_type\"; expected \"bert\" or \"roberta\".");
    }
    return switch (modelType.toLowerCase(Locale.ROOT)) {
      case "bert" -> BERT;
      case "roberta" -> ROBERTA;
      case "electra" -> ELECTRA;
      default -> throw new ConversionException(source + ": model_type \"" + modelType
          + "\" is not supported; kluespark converts \"bert\" (KLUE BERT, BERT, BertBackbone) and \"roberta\" "
          + "(KLUE RoBERTa) encoders.");
    };
  }

  /** The prefix HF puts before weight names in task checkpoints ({@code bert.}, {@code roberta.}, {@code electra.}). */
  public String weightPrefix() {
    return name().toLowerCase(Locale.ROOT) + ".";
  }

  /** Whether the family's HF model can carry BERT's pooler; ElectraModel has none, so stray pooler.* are ignored as HF does. */
  public boolean canHavePooler() {
    return this != ELECTRA;
  }

  public String modelType() {
    return name().toLowerCase(Locale.ROOT);
  }
}
