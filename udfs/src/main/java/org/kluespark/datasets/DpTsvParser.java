package org.kluespark.datasets;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * KLUE DP ({@code klue-dp-v1.1_dev.tsv}): after each header, one line per word (eojeol),
 * {@code INDEX\tWORD_FORM\tLEMMA\tPOS\tHEAD\tDEPREL}. Row: {@code guid}, {@code sentence}, and one array per
 * column, {@code index}, {@code word_form}, {@code lemma}, {@code pos}, {@code head}, {@code deprel}. Checked:
 * six columns, INDEX numbering the words 1, 2, 3, ... in order, HEAD an existing word or 0 (the root).
 */
final class DpTsvParser extends TsvSentenceParser {
  private static final long serialVersionUID = 1L;
  private static final int COLUMNS = 6;

  @Override
  String unit() {
    return "word";
  }

  @Override
  Sentence start(String guid, String text, long headerLine, Errors errors) {
    List<Integer> index = new ArrayList<>();
    List<String> wordForm = new ArrayList<>();
    List<String> lemma = new ArrayList<>();
    List<String> pos = new ArrayList<>();
    List<Integer> head = new ArrayList<>();
    List<String> deprel = new ArrayList<>();
    List<Long> lines = new ArrayList<>();
    return new Sentence() {
      @Override
      public void add(String[] fields, String line, long lineNumber) {
        if (fields.length != COLUMNS) {
          throw errors.at(lineNumber, "expected 6 tab-separated columns INDEX, WORD_FORM, LEMMA, POS, HEAD, DEPREL;"
              + " found " + fields.length + ": " + Errors.shown(line));
        }
        int position = errors.integer(lineNumber, "INDEX", fields[0]);
        if (position != index.size() + 1) {
          throw errors.at(lineNumber, "INDEX " + position + " is out of order: the words of " + guid
              + " are numbered 1, 2, 3, ... so this one should be " + (index.size() + 1));
        }
        int headIndex = errors.integer(lineNumber, "HEAD", fields[4]);
        if (headIndex < 0) {
          throw errors.at(lineNumber, "HEAD " + headIndex + " is negative; it is a word's INDEX, or 0 for the root");
        }
        index.add(position);
        wordForm.add(fields[1]);
        lemma.add(fields[2]);
        pos.add(fields[3]);
        head.add(headIndex);
        deprel.add(fields[5]);
        lines.add(lineNumber);
      }

      @Override
      public Row finish() {
        if (index.isEmpty()) {
          throw errors.at(headerLine, "the sentence " + guid + " has no word lines");
        }
        for (int i = 0; i < head.size(); i++) {
          if (head.get(i) > index.size()) {
            throw errors.at(lines.get(i), "HEAD " + head.get(i) + " points past the last word of " + guid + " ("
                + index.size() + " words); it is a word's INDEX, or 0 for the root");
          }
        }
        return RowFactory.create(guid, text, ints(index), wordForm.toArray(String[]::new),
            lemma.toArray(String[]::new), pos.toArray(String[]::new), ints(head), deprel.toArray(String[]::new));
      }
    };
  }

  private static int[] ints(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }
}
