package org.kluespark.tokenize.wordpiece;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.kluespark.testing.TestModels;

/**
 * Texts from {@code datasets/} and the KLUE dev sets.
 *
 * @param lines every raw line of every file (JSON and CSV syntax, the README's English included)
 * @param sentences the Korean sentences: text fields of the records, {@code sentences.txt}, the CSV's text column
 * @param pairs STS sentence pairs and NLI premise/hypothesis pairs
 */
record KoreanTexts(List<String> lines, List<String> sentences, List<String[]> pairs) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every line of every file under {@code datasets/}, every sentence field, and the STS/NLI pairs. */
  static KoreanTexts datasets() {
    KoreanTexts texts = new KoreanTexts(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    Path dir = TestModels.repoRoot().resolve("datasets");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        texts.lines().addAll(lines);
        String name = file.getFileName().toString();
        if (name.endsWith(".txt")) {
          texts.sentences().addAll(lines);
        } else if (name.endsWith(".jsonl")) {
          for (String line : lines) {
            texts.addRecord(JSON.readTree(line));
          }
        } else if (name.endsWith(".json")) {
          JSON.readTree(file.toFile()).forEach(texts::addRecord);
        } else if (name.endsWith(".csv")) {
          texts.sentences().addAll(csvColumn(Files.readString(file, StandardCharsets.UTF_8), 1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return texts;
  }

  /** The sentences and pairs of {@code ../shared/klue}'s STS and NLI dev sets. */
  static KoreanTexts klueDevSets(Path klueDir) {
    KoreanTexts texts = new KoreanTexts(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (String file : List.of("klue-sts-v1.1_dev.json", "klue-nli-v1.1_dev.json")) {
      try {
        JSON.readTree(klueDir.resolve(file).toFile()).forEach(texts::addRecord);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return texts;
  }

  /** Every text to encode alone: the raw lines and the sentences. */
  List<String> singles() {
    List<String> singles = new ArrayList<>(lines);
    singles.addAll(sentences);
    return singles;
  }

  private void addRecord(JsonNode record) {
    for (String[] fields : List.of(new String[] {"sentence1", "sentence2"}, new String[] {"premise", "hypothesis"})) {
      if (record.has(fields[0]) && record.has(fields[1])) {
        String first = record.get(fields[0]).asText();
        String second = record.get(fields[1]).asText();
        sentences.add(first);
        sentences.add(second);
        pairs.add(new String[] {first, second});
      }
    }
  }

  /** One column of an RFC 4180 CSV with a header row (quoted fields, doubled quotes, CRLF). */
  static List<String> csvColumn(String csv, int column) {
    List<String> values = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean header = true;
    for (int i = 0; i < csv.length(); i++) {
      char c = csv.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
          i++;
        }
        row.add(field.toString());
        field.setLength(0);
        if (!header) {
          values.add(row.get(column));
        }
        header = false;
        row = new ArrayList<>();
      } else {
        field.append(c);
      }
    }
    return values;
  }
}
