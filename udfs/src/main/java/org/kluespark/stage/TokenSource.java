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
}
