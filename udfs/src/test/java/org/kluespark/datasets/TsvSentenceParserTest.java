package org.kluespark.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** KLUE's NER and DP TSV layouts without Spark: comments, line ends, and broken lines with their exact messages. */
class TsvSentenceParserTest {

  private static List<Row> parse(KlueFileParser parser, String tsv) throws IOException {
    return parser.parse("f.tsv", new ByteArrayInputStream(tsv.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Row> ner(String tsv) throws IOException {
    return parse(new NerTsvParser(), tsv);
  }

  private static List<Row> dp(String tsv) throws IOException {
    return parse(new DpTsvParser(), tsv);
  }

  @Test
  void nerSentenceWithCommentsSpacesAndAHashCharacter() throws IOException {
    List<Row> rows = ner("\uFEFF## 주석 : ##\n## 컬럼명 : CHAR\tNE_TAG\n"
        + "## g-1\t<서울:LC> #1\n서\tB-LC\n울\tI-LC\n \tO\n#\tO\n1\tO\n\n"
        + "## g-2\t<김:PS>\r\n김\tB-PS\r\n");
    assertThat(rows).hasSize(2);
    Row first = rows.get(0);
    assertThat(first.getString(0)).isEqualTo("g-1");
    assertThat(first.getString(1)).isEqualTo("서울 #1");
    assertThat(first.getString(2)).isEqualTo("<서울:LC> #1");
    assertThat((String[]) first.get(3)).containsExactly("서", "울", " ", "#", "1");
    assertThat((String[]) first.get(4)).containsExactly("B-LC", "I-LC", "O", "O", "O");
    assertThat(rows.get(1).getString(1)).isEqualTo("김"); // CRLF line ends and no final blank line
  }

  @Test
  void aHeaderWithoutABlankLineBeforeItStillStartsANewSentence() throws IOException {
    assertThat(ner("## a\tx\nx\tO\n## b\ty\ny\tO\n")).extracting(row -> row.getString(0)).containsExactly("a", "b");
  }

  @Test
  void nerLineErrors() {
    assertThatThrownBy(() -> ner("## g\t서울\n서\tB-LC\n울 I-LC\n"))
        .isInstanceOf(KlueFormatException.class)
        .hasMessage("f.tsv, line 3: expected a character, a tab and its tag (e.g. \"서\\tB-LC\"), found \"울 I-LC\"");
    assertThatThrownBy(() -> ner("## g\t서울\n서\tB-LC\t?\n"))
        .hasMessage("f.tsv, line 2: expected a character, a tab and its tag (e.g. \"서\\tB-LC\"), found \"서\\tB-LC\\t?\"");
    assertThatThrownBy(() -> ner("## g\t서울\n서\tB-LOC-X\n"))
        .hasMessage("f.tsv, line 2: the tag \"B-LOC-X\" of \"서\" is not O, B-<TYPE> or I-<TYPE> (KLUE's types: PS, LC,"
            + " OG, DT, TI, QT)");
    assertThatThrownBy(() -> ner("## g\t서울\n\n## h\t부산\n부\tB-LC\n"))
        .hasMessage("f.tsv, line 1: the sentence g has no character lines");
  }

  @Test
  void linesOutsideASentence() {
    assertThatThrownBy(() -> ner("## g\t서\n서\tO\n\n울\tO\n"))
        .hasMessage("f.tsv, line 4: a character line outside a sentence; each sentence starts with a line"
            + " '## <guid><TAB><sentence>' and ends at a blank line. The line: \"울\\tO\"");
    // A header whose guid and sentence are separated by a space reads as a comment; the message points at it.
    assertThatThrownBy(() -> ner("## g 서\n서\tO\n"))
        .hasMessage("f.tsv, line 2: a character line outside a sentence (line 1 starts with '##' but is not a header:"
            + " the guid must be followed by a tab and contain no spaces); each sentence starts with a line"
            + " '## <guid><TAB><sentence>' and ends at a blank line. The line: \"서\\tO\"");
  }

  @Test
  void dpSentence() throws IOException {
    List<Row> rows = dp("## 칼럼명 : INDEX\tWORD_FORM\tLEMMA\tPOS\tHEAD\tDEPREL\n"
        + "## d-1\t비가 왔다.\n1\t비가\t비 가\tNNG+JKS\t2\tNP_SBJ\n2\t왔다.\t오 았 다 .\tVV+EP+EF+SF\t0\tVP\n\n");
    assertThat(rows).hasSize(1);
    Row row = rows.get(0);
    assertThat(row.getString(0)).isEqualTo("d-1");
    assertThat(row.getString(1)).isEqualTo("비가 왔다.");
    assertThat((int[]) row.get(2)).containsExactly(1, 2);
    assertThat((String[]) row.get(3)).containsExactly("비가", "왔다.");
    assertThat((String[]) row.get(4)).containsExactly("비 가", "오 았 다 .");
    assertThat((String[]) row.get(5)).containsExactly("NNG+JKS", "VV+EP+EF+SF");
    assertThat((int[]) row.get(6)).containsExactly(2, 0);
    assertThat((String[]) row.get(7)).containsExactly("NP_SBJ", "VP");
  }

  @Test
  void dpLineErrors() {
    String header = "## d-1\t비가 왔다.\n";
    assertThatThrownBy(() -> dp(header + "1\t비가\t비 가\tNNG+JKS\t2\n"))
        .isInstanceOf(KlueFormatException.class)
        .hasMessage("f.tsv, line 2: expected 6 tab-separated columns INDEX, WORD_FORM, LEMMA, POS, HEAD, DEPREL; found"
            + " 5: \"1\\t비가\\t비 가\\tNNG+JKS\\t2\"");
    assertThatThrownBy(() -> dp(header + "one\t비가\t비 가\tNNG+JKS\t2\tNP_SBJ\n"))
        .hasMessage("f.tsv, line 2: INDEX should be an integer but is \"one\"");
    assertThatThrownBy(() -> dp(header + "1\t비가\t비 가\tNNG+JKS\t2\tNP_SBJ\n3\t왔다.\t오 았 다 .\tVV+EP+EF+SF\t0\tVP\n"))
        .hasMessage("f.tsv, line 3: INDEX 3 is out of order: the words of d-1 are numbered 1, 2, 3, ... so this one"
            + " should be 2");
    assertThatThrownBy(() -> dp(header + "1\t비가\t비 가\tNNG+JKS\t-1\tNP_SBJ\n"))
        .hasMessage("f.tsv, line 2: HEAD -1 is negative; it is a word's INDEX, or 0 for the root");
    assertThatThrownBy(() -> dp(header + "1\t비가\t비 가\tNNG+JKS\t3\tNP_SBJ\n2\t왔다.\t오 았 다 .\tVV+EP+EF+SF\t0\tVP\n"))
        .hasMessage("f.tsv, line 2: HEAD 3 points past the last word of d-1 (2 words); it is a word's INDEX, or 0"
            + " for the root");
    assertThatThrownBy(() -> dp(header + "\n"))
        .hasMessage("f.tsv, line 1: the sentence d-1 has no word lines");
    assertThatThrownBy(() -> dp("1\t비가\t비 가\tNNG+JKS\t0\tNP_SBJ\n"))
        .hasMessage("f.tsv, line 1: a word line outside a sentence; each sentence starts with a line"
            + " '## <guid><TAB><sentence>' and ends at a blank line. The line: \"1\\t비가\\t비 가\\tNNG+JKS\\t0\\tNP_SBJ\"");
  }
}
