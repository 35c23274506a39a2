package org.kluespark.stage;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.kluespark.tokenize.TokenizedText;
import scala.collection.JavaConverters;

/**
 * Reads rows a preprocessor tokenized: {@code input_word_ids}, {@code input_mask} and {@code input_type_ids}
 * (array&lt;int&gt; or array&lt;long&gt;), unpadded or right-padded. The real tokens are those the mask marks,
 * which must be a run of 1s followed only by 0s; padding is dropped here so batches are cut exactly as if
 * the text had been tokenized in this stage. A null id array gives the row null outputs.
 */
final class IdColumns implements TokenSource {
  private static final long serialVersionUID = 1L;

  private final int idsIndex;
  private final int maskIndex;
  private final int typesIndex;
  private final IdColumnNames names;
  private final int maxSeqLength;
  private final Integer vocabSize; // the embedding table's rows, when known

  /** The columns' names, for messages. */
  record IdColumnNames(String ids, String mask, String types) implements Serializable {}

  IdColumns(int idsIndex, int maskIndex, int typesIndex, IdColumnNames names, int maxSeqLength, Integer vocabSize) {
    this.idsIndex = idsIndex;
    this.maskIndex = maskIndex;
    this.typesIndex = typesIndex;
    this.names = names;
    this.maxSeqLength = maxSeqLength;
    this.vocabSize = vocabSize;
  }

  @Override
  public TokenizedText read(Row row) {
    if (row.isNullAt(idsIndex)) {
      return null;
    }
    long[] ids = longs(row, idsIndex, names.ids());
    long[] mask = longs(row, maskIndex, names.mask());
    long[] types = longs(row, typesIndex, names.types());
    if (mask.length != ids.length || types.length != ids.length) {
      throw new IllegalArgumentException("Row has " + ids.length + " ids in `" + names.ids() + "` but "
          + mask.length + " mask values in `" + names.mask() + "` and " + types.length + " type ids in `"
          + names.types() + "`; the three columns must have one value per token.");
    }
    int length = realTokens(mask);
    if (length == 0) {
      throw new IllegalArgumentException("Row has no tokens (`" + names.mask() + "` marks none); a row needs "
          + "at least its special tokens. Give it null ids instead to get null outputs.");
    }
    if (length > maxSeqLength) {
      throw new IllegalArgumentException("Row has " + length + " tokens in `" + names.ids() + "`, more than "
          + "maxSeqLength " + maxSeqLength + "; set maxSeqLength to at least the preprocessor's.");
    }
    for (int t = 0; t < length; t++) {
      if (ids[t] < 0 || (vocabSize != null && ids[t] >= vocabSize)) {
        throw new IllegalArgumentException("Token id " + ids[t] + " at position " + t + " of `" + names.ids()
            + "` is outside the model's vocabulary 0.." + (vocabSize == null ? "" : vocabSize - 1)
            + "; were the ids made with this model's tokenizer?");
      }
    }
    return new TokenizedText(Arrays.copyOf(ids, length), Arrays.copyOf(types, length), false);
  }

  /** The run of leading 1s; anything after it must be 0 (right padding). */
  private int realTokens(long[] mask) {
    int length = 0;
    while (length < mask.length && mask[length] == 1) {
      length++;
    }
    for (int t = length; t < mask.length; t++) {
      if (mask[t] != 0) {
        throw new IllegalArgumentException("`" + names.mask() + "` must be 1s followed by 0s (right padding), "
            + "but position " + t + " holds " + mask[t] + ".");
      }
    }
    return length;
  }

  /**
   * The array cell as longs. Spark hands over a Seq after a shuffle or a scan, but the raw array when this
   * stage directly follows another mapPartitions (its serialization is then elided), so both are read.
   */
  private static long[] longs(Row row, int index, String column) {
    if (row.isNullAt(index)) {
      throw new IllegalArgumentException("`" + column + "` is null in a row whose ids are not; give all three "
          + "id columns or none.");
    }
    Object cell = row.get(index);
    if (cell instanceof int[] ints) {
      return Arrays.stream(ints).asLongStream().toArray();
    }
    if (cell instanceof long[] longs) {
      return longs.clone();
    }
    List<?> values = cell instanceof List<?> list ? list
        : cell instanceof Object[] array ? Arrays.asList(array)
        : JavaConverters.seqAsJavaList((scala.collection.Seq<?>) cell);
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      Object value = values.get(i);
      if (value == null) {
        throw new IllegalArgumentException("`" + column + "` has a null at position " + i + ".");
      }
      out[i] = ((Number) value).longValue();
    }
    return out;
  }
}
