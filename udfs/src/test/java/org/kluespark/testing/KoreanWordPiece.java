package org.kluespark.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.kluespark.tokenize.wordpiece.WordPieceOptions;
import org.kluespark.tokenize.wordpiece.WordPieceTokenizerJson;

/**
 * A small cased KLUE-style WordPiece tokenizer.json (KLUE's special ids, no lowercasing or accent
 * stripping, so every token's text is a slice of the input) with Korean words and an emoji, for exact
 * token and offset expectations. Its ids fit MiniLM's vocabulary, so it can stand in MiniLM's bundle.
 */
public final class KoreanWordPiece {
  /** KLUE's order: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4. */
  public static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
      "오늘", "서울", "##은", "##에서", "😀", "맑", "##고", "좋", "##다", ".", "날씨", "##가", "비", "##가", "내린다");

  private KoreanWordPiece() {}

  public static byte[] tokenizerJson() {
    return WordPieceTokenizerJson.build(VOCAB.stream().distinct().toList(), WordPieceOptions.klue())
        .getBytes(StandardCharsets.UTF_8);
  }
}
