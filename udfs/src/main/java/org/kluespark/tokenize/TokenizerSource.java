package org.kluespark.tokenize;

/** Something that carries a {@code tokenizer.json}: a whole model bundle, or just its tokenizer. */
public interface TokenizerSource {
  /** Identifies the tokenizer's bytes: equal keys mean equal tokenizers. */
  String tokenizerKey();

  byte[] tokenizerBytes();
}
