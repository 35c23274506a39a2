package org.kluespark.stage;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.kluespark.tokenize.TokenizedText;
import scala.Predef$;

/**
 * The columns {@link TextPreprocessor} appends, in this order: word ids, mask, type ids ({@code array<int>},
 * as TF Hub's preprocess module gives int32), then tokens and offsets (optional).
 *
 * @param padTo 0 to keep each row's real tokens only; else the length every row is right-padded to, with
 *     {@code padId}, mask 0 and type 0 (tokens and offsets always cover the real tokens only)
 */
record IdLayout(String idsCol, String maskCol, String typesCol, int padTo, long padId, TokenColumns tokenColumns)
    implements Serializable {
  static final DataType IDS = DataTypes.createArrayType(DataTypes.IntegerType, false);

  int width() {
    return 3 + tokenColumns.width();
  }

  StructType appendTo(StructType schema) {
    return tokenColumns.appendTo(schema
        .add(new StructField(idsCol, IDS, true, Metadata.empty()))
        .add(new StructField(maskCol, IDS, true, Metadata.empty()))
        .add(new StructField(typesCol, IDS, true, Metadata.empty())));
  }

  List<OutputLayout.Column> columns() {
    List<OutputLayout.Column> columns = new ArrayList<>(List.of(
        new OutputLayout.Column("inputWordIdsCol", idsCol),
        new OutputLayout.Column("inputMaskCol", maskCol),
        new OutputLayout.Column("inputTypeIdsCol", typesCol)));
    tokenColumns.addColumns(columns);
    return columns;
  }

  /** Writes the row's values at {@code values[offset...]}; nulls for a null row. */
  void fill(Object[] values, int offset, TokenizedText text) {
    if (text == null) {
      return;
    }
    int length = text.length();
    int width = Math.max(length, padTo);
    int[] ids = new int[width];
    int[] mask = new int[width];
    int[] types = new int[width];
    for (int t = 0; t < width; t++) {
      boolean real = t < length;
      ids[t] = Math.toIntExact(real ? text.ids()[t] : padId);
      mask[t] = real ? 1 : 0;
      types[t] = real ? Math.toIntExact(text.typeIds()[t]) : 0;
    }
    // Seqs, not raw arrays: a mapPartitions right after this stage gets the values as they are, and Row.getList
    // only reads Seqs. Wrapping copies nothing (Predef's wrappers: Scala 2.12 and 2.13).
    values[offset] = Predef$.MODULE$.wrapIntArray(ids);
    values[offset + 1] = Predef$.MODULE$.wrapIntArray(mask);
    values[offset + 2] = Predef$.MODULE$.wrapIntArray(types);
    tokenColumns.fill(values, offset + 3, text);
  }
}
