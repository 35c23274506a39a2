package org.kluespark.tokenize;

/**
 * One encoded text (or text pair) with special tokens, unpadded.
 *
 * @param ids token ids, {@code [CLS] a [SEP] (b [SEP])} as the tokenizer's post-processor defines them
 * @param typeIds segment ids: 0 for the first text, 1 for the second of a pair
 * @param truncated whether tokens were cut to fit {@code maxSeqLength}
 */
public record TokenizedText(long[] ids, long[] typeIds, boolean truncated) {
  public int length() {
    return ids.length;
  }
}
