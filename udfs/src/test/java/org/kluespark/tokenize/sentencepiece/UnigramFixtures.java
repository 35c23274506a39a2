package org.kluespark.tokenize.sentencepiece;

import java.nio.file.Path;
import org.kluespark.testing.TestModels;

/** The SentencePiece Unigram fixtures made by {@code tests/scripts/make_unigram_fixtures.py}. */
public final class UnigramFixtures {
  private UnigramFixtures() {}

  public static Path dir() {
    return TestModels.repoRoot().resolve("udfs/src/test/resources/unigram");
  }

  /** A 2,000-piece Unigram model trained with spm_train on datasets/ (fairseq layout: unk 0, bos 1, eos 2). */
  public static Path model() {
    return dir().resolve("ko-unigram.model");
  }

  /** The XLM-R tokenizer.json built from {@link #model()}: 2,002 ids (pieces + 2, as XLM-R's 250,000 give 250,002). */
  public static String tokenizerJson() {
    return XlmRobertaTokenizerJson.build(SentencePieceModel.read(model()), model().toString());
  }
}
