package org.kluespark.job;

import picocli.CommandLine.Option;

/**
 * The input options {@code embed} and {@code profile} share (a picocli mixin): a path with its format, or a
 * catalog table, the column(s) to embed and the instruction prefixes put before their texts. Fields stay null
 * when not given, so embed's --conf file can fill them.
 */
final class InputOptions {
  @Option(names = "--input", paramLabel = "PATH", description = "Input file, directory or glob. This or "
      + "--input-table is required.")
  String input;

  @Option(names = "--input-table", paramLabel = "NAME", description = "Input table of the session's catalog "
      + "(name or db.name), read in its own format, instead of --input.")
  String inputTable;

  @Option(names = "--format", paramLabel = "FORMAT", description = "Format of --input: parquet, csv, json (one "
      + "array, as KLUE's .json files), jsonl, text, orc or delta. Default: from the extension (.parquet, .csv, "
      + ".json, .jsonl/.ndjson, .txt, .orc); a Delta directory needs --format delta.")
  String format;

  @Option(names = "--text-col", paramLabel = "COL", description = "String column to embed. Default: text "
      + "(value for --format text).")
  String textCol;

  @Option(names = "--pair-col", paramLabel = "COL", description = "Second string column: rows are embedded as "
      + "text pairs.")
  String pairCol;

  @Option(names = "--text-prefix", paramLabel = "TEXT", description = "Instruction put before every text of "
      + "--text-col before it is tokenized, e.g. 'query: ' or 'passage: ' for multilingual-e5 (quote it to keep "
      + "the trailing space). Its tokens count in --max-seq-length. With --pair-col: before the first text only.")
  String textPrefix;

  @Option(names = "--pair-prefix", paramLabel = "TEXT", description = "Instruction put before every text of "
      + "--pair-col (needs --pair-col). Default: none.")
  String pairPrefix;
}
