package org.kluespark.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/** The executor side of a load: opens each file (decompressing {@code .gz}, {@code .bz2}, ... by extension) and parses it. */
final class ParseEachFile implements FlatMapFunction<Tuple2<String, PortableDataStream>, Row> {
  private static final long serialVersionUID = 1L;

  private final KlueFileParser parser;

  ParseEachFile(KlueFileParser parser) {
    this.parser = parser;
  }

  @Override
  public Iterator<Row> call(Tuple2<String, PortableDataStream> file) throws IOException {
    String name = file._1();
    PortableDataStream stream = file._2();
    CompressionCodec codec = new CompressionCodecFactory(stream.getConfiguration()).getCodec(new Path(name));
    try (InputStream raw = stream.open();
        InputStream in = codec == null ? raw : codec.createInputStream(raw)) {
      return parser.parse(name, in).iterator();
    }
  }
}
