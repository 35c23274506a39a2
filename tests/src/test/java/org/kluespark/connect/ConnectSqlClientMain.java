package org.kluespark.connect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * A Spark Connect client, run by {@link ConnectClient} in its own JVM whose classpath holds the
 * spark-connect-client-jvm jar and its third-party dependencies only: no classic Spark SQL and no kluespark, so
 * every function it calls is resolved on the server.
 *
 * <p>Arguments: the {@code sc://} URL, the output file, and a UTF-8 JSON file holding an array of SQL statements
 * (a file, not arguments: the platform charset of a child JVM's command line may not be UTF-8, and the statements
 * hold Korean). The statements run in one session;
 * its rows are collected (over Arrow, as a notebook's {@code collect()}) and written as one JSON line, or its error
 * class and message if it fails (later statements still run). Floats and doubles are written as their Java
 * string forms, which parse back to the same bits. The first line describes the client JVM.
 *
 * <p>It builds the session with {@code org.apache.spark.sql.connect.SparkSession.builder()}: the generic
 * {@code org.apache.spark.sql.SparkSession.builder()} needs {@code org.apache.spark.SparkContext}, which a pure
 * client classpath lacks (Spark ships empty placeholders in spark-connect-shims, which Maven Central does not have
 * for 4.0.1).
 */
public final class ConnectSqlClientMain {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ConnectSqlClientMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("Usage: ConnectSqlClientMain sc://HOST:PORT OUTPUT_FILE STATEMENTS_JSON");
    }
    List<String> statements = Arrays.asList(JSON.readValue(Files.readString(Path.of(args[2]),
        StandardCharsets.UTF_8), String[].class));
    try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8);
        SparkSession spark = org.apache.spark.sql.connect.SparkSession.builder().remote(args[0]).getOrCreate()) {
      ObjectNode client = NODES.objectNode();
      client.put("session", spark.getClass().getName());
      client.put("sparkVersion", spark.version());
      client.put("classicSparkOnClasspath", loadable("org.apache.spark.sql.classic.SparkSession"));
      client.put("kluesparkOnClasspath", loadable("org.kluespark.sql.KlueSparkExtensions"));
      write(out, NODES.objectNode().set("client", client));
      for (int i = 0; i < statements.size(); i++) {
        write(out, run(spark, i, statements.get(i)));
      }
    }
  }

  private static ObjectNode run(SparkSession spark, int index, String sql) {
    ObjectNode result = NODES.objectNode().put("statement", index).put("sql", sql);
    try {
      Dataset<Row> frame = spark.sql(sql);
      ArrayNode columns = result.putArray("columns");
      for (StructField field : frame.schema().fields()) {
        columns.add(field.name());
      }
      ArrayNode rows = result.putArray("rows");
      for (Row row : frame.collectAsList()) {
        ArrayNode values = rows.addArray();
        for (int c = 0; c < row.length(); c++) {
          values.add(row.isNullAt(c) ? NODES.nullNode() : value(row.get(c)));
        }
      }
    } catch (Exception e) {
      result.put("error", e.getClass().getName()).put("message", String.valueOf(e.getMessage()));
    }
    return result;
  }

  private static com.fasterxml.jackson.databind.JsonNode value(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof Float || value instanceof Double) {
      return NODES.textNode(value.toString());
    }
    if (value instanceof scala.collection.Iterable<?> seq) {
      ArrayNode array = NODES.arrayNode();
      seq.foreach(element -> array.add(value(element)));
      return array;
    }
    return JSON.valueToTree(value);
  }

  private static boolean loadable(String className) {
    try {
      Class.forName(className, false, ConnectSqlClientMain.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static void write(BufferedWriter out, com.fasterxml.jackson.databind.JsonNode line) throws Exception {
    out.write(JSON.writeValueAsString(line));
    out.newLine();
    out.flush();
  }
}
