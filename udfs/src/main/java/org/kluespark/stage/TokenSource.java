package org.kluespark.stage;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.kluespark.tokenize.TokenizedText;

/**
 * Where a stage gets each row's tokens on the executor: by tokenizing its text columns ({@link TextColumns})
 * or from the id columns a preprocessor wrote ({@link IdColumns}). Deserialized once per task.
 */
interface TokenSource extends Serializable {
  /** The row's tokens, or null when the row gets null outputs. */
  TokenizedText read(Row row);

  /**
   * What makes the row's tokens, when it is cheaper to compare than to {@link #read}: rows of a window with
   * equal keys are read once (reuseDuplicates). Null, the default, for a null row or when the source has no
   * such key; rows are then still run once per distinct model input ({@code WindowEmbedder}).
   */
  default Object duplicateKey(Row row) {
    return null;
  }
}
