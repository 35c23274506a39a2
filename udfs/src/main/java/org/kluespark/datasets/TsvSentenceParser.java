package org.kluespark.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * KLUE's tab-separated sentence files (NER, DP), read line by line with a line counter so that errors can name
 * the line. Layout: sentences separated by blank lines; lines starting with {@code ##} are comments, except a
 * sentence's header {@code ## <guid>\t<sentence>} (a guid without spaces, a tab, the sentence), which opens it;
 * then one line per unit (a character for NER, a word for DP), handed to the format's {@link Sentence}.
 */
abstract class TsvSentenceParser implements KlueFileParser {
  private static final long serialVersionUID = 1L;

  /** One sentence being read; {@link #finish()} checks it and makes its row. */
  interface Sentence {
    void add(String[] fields, String line, long lineNumber);

    Row finish();
  }

  /** The unit a data line holds, for messages: {@code "character"} or {@code "word"}. */
  abstract String unit();

  abstract Sentence start(String guid, String text, long headerLine, Errors errors);

  @Override
  public List<Row> parse(String file, InputStream in) throws IOException {
    Errors errors = new Errors(file);
    List<Row> rows = new ArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    Sentence open = null;
    long lineNumber = 0;
    long commentBefore = -1; // the line number of a '##' comment directly above, for a likelier diagnosis
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      lineNumber++;
      if (lineNumber == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1); // byte-order mark
      }
      if (line.isEmpty()) {
        if (open != null) {
          rows.add(open.finish());
          open = null;
        }
      } else if (line.startsWith("##")) {
        String[] header = header(line);
        if (header != null) {
          if (open != null) {
            rows.add(open.finish());
          }
          open = start(header[0], header[1], lineNumber, errors);
        }
        commentBefore = header == null ? lineNumber : -1;
        continue;
      } else if (open == null) {
        String hint = commentBefore == lineNumber - 1
            ? " (line " + commentBefore + " starts with '##' but is not a header: the guid must be followed by a tab"
                + " and contain no spaces)"
            : "";
        throw errors.at(lineNumber, "a " + unit() + " line outside a sentence" + hint + "; each sentence starts with"
            + " a line '## <guid><TAB><sentence>' and ends at a blank line. The line: " + Errors.shown(line));
      } else {
        open.add(line.split("\t", -1), line, lineNumber);
      }
      commentBefore = -1;
    }
    if (open != null) {
      rows.add(open.finish());
    }
    return rows;
  }

  /** {guid, sentence} of a header line, or null for a comment such as {@code ## 주석 : ##}. */
  private static String[] header(String line) {
    String rest = line.substring(2).stripLeading();
    int tab = rest.indexOf('\t');
    if (tab <= 0) {
      return null;
    }
    String guid = rest.substring(0, tab);
    if (guid.codePoints().anyMatch(Character::isWhitespace)) {
      return null; // e.g. KLUE's preamble "## 컬럼명 : CHAR\tNE_TAG"
    }
    return new String[] {guid, rest.substring(tab + 1)};
  }

  /** Makes the file's {@link KlueFormatException}s. */
  static final class Errors {
    private final String file;

    Errors(String file) {
      this.file = file;
    }

    KlueFormatException at(long line, String problem) {
      return new KlueFormatException(file, line, problem);
    }

    /** A line as it reads, tabs shown as {@code \t}, at most 80 characters. */
    static String shown(String line) {
      String escaped = line.replace("\t", "\\t");
      return "\"" + (escaped.length() > 80 ? escaped.substring(0, 80) + "..." : escaped) + "\"";
    }

    /** {@code field} as an int, or an error saying the column {@code name} should be one. */
    int integer(long line, String name, String field) {
      try {
        return Integer.parseInt(field);
      } catch (NumberFormatException e) {
        throw at(line, name + " should be an integer but is \"" + field + "\"");
      }
    }
  }
}
