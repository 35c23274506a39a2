package org.kluespark.tokenize;

/**
 * One encoded text (or text pair) with special tokens, unpadded.
 *
 * @param ids token ids, {@code [CLS] a [SEP] (b [SEP])} as the tokenizer's post-processor defines them
 * @param typeIds segment ids: 0 for the first text, 1 for the second of a pair
 * @param truncated whether tokens were cut to fit {@code maxSeqLength}
 * @param tokens the token strings ({@code [CLS]}, {@code ##s}, ...), one per id; null when not asked for
 * @param spans each token's span in its original text, one per id, null for special tokens; null when not
 *     asked for
 */
public record TokenizedText(long[] ids, long[] typeIds, boolean truncated, String[] tokens, TokenSpan[] spans) {

  /** Without token strings and spans. */
  public TokenizedText(long[] ids, long[] typeIds, boolean truncated) {
    this(ids, typeIds, truncated, null, null);
  }

  public int length() {
    return ids.length;
  }
}
