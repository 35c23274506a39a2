package org.kluespark.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * KLUE NER ({@code klue-ner-v1.1_dev.tsv}): after each header, one line per character (spaces included) with its
 * BIO tag, {@code 특\tB-OG}. Row: {@code guid}, {@code sentence} (the characters joined: plain text),
 * {@code tagged_sentence} (the header's text, entities marked {@code <부산:LC>}), {@code tokens} (the
 * characters), {@code ner_tags} (their tags).
 */
final class NerTsvParser extends TsvSentenceParser {
  private static final long serialVersionUID = 1L;
  private static final Pattern TAG = Pattern.compile("O|[BI]-[A-Z]+");

  @Override
  String unit() {
    return "character";
  }

  @Override
  Sentence start(String guid, String text, long headerLine, Errors errors) {
    List<String> tokens = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    return new Sentence() {
      @Override
      public void add(String[] fields, String line, long lineNumber) {
        if (fields.length != 2 || fields[0].isEmpty()) {
          throw errors.at(lineNumber, "expected a character, a tab and its tag (e.g. \"서\\tB-LC\"), found "
              + Errors.shown(line));
        }
        if (!TAG.matcher(fields[1]).matches()) {
          throw errors.at(lineNumber, "the tag \"" + fields[1] + "\" of \"" + fields[0] + "\" is not O, B-<TYPE> or"
              + " I-<TYPE> (KLUE's types: PS, LC, OG, DT, TI, QT)");
        }
        tokens.add(fields[0]);
        tags.add(fields[1]);
      }

      @Override
      public Row finish() {
        if (tokens.isEmpty()) {
          throw errors.at(headerLine, "the sentence " + guid + " has no character lines");
        }
        return RowFactory.create(guid, String.join("", tokens), text, tokens.toArray(String[]::new),
            tags.toArray(String[]::new));
      }
    };
  }
}
