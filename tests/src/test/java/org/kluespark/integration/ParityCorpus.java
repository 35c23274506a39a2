package org.kluespark.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kluespark.testing.TestModels;

/**
 * Texts for parity tests: every sentence and pair of the repository's datasets/ samples, plus (when
 * {@code ../shared/klue} is present) real KLUE STS dev sentences and pairs.
 */
final class ParityCorpus {
  /** Sentences and pairs read from one source. */
  record Texts(List<String> sentences, List<String[]> pairs) {}

  private ParityCorpus() {}

  /** Sentences and pairs from datasets/: STS and NLI samples (JSON arrays) and sentences.txt. */
  static Texts samples() {
    Path datasets = TestModels.repoRoot().resolve("datasets");
    List<String> sentences = new ArrayList<>();
    List<String[]> pairs = new ArrayList<>();
    addPairs(datasets.resolve("klue-sts-sample.json"), "sentence1", "sentence2", Integer.MAX_VALUE, sentences, pairs);
    addPairs(datasets.resolve("klue-nli-sample.json"), "premise", "hypothesis", Integer.MAX_VALUE, sentences, pairs);
    try {
      for (String line : Files.readAllLines(datasets.resolve("sentences.txt"))) {
        if (!line.isBlank()) {
          sentences.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (sentences.isEmpty() || pairs.isEmpty()) {
      throw new AssertionError("datasets/ samples are missing under " + datasets);
    }
    return new Texts(sentences, pairs);
  }

  /** The first {@code pairCount} KLUE STS dev pairs and their 2 × pairCount sentences, or null when absent. */
  static Texts klueSts(int pairCount) {
    Path sts = TestModels.sharedKlue().resolve("klue-sts-v1.1_dev.json");
    if (!Files.isRegularFile(sts)) {
      return null;
    }
    List<String> sentences = new ArrayList<>();
    List<String[]> pairs = new ArrayList<>();
    addPairs(sts, "sentence1", "sentence2", pairCount, sentences, pairs);
    return new Texts(sentences, pairs);
  }

  static String sharedKlueHint() {
    return "../shared/klue/klue-sts-v1.1_dev.json is absent (looked in " + TestModels.sharedKlue()
        + "); the KLUE part of this test needs the real dev set beside the repository.";
  }

  private static void addPairs(Path file, String first, String second, int limit, List<String> sentences,
      List<String[]> pairs) {
    try {
      JsonNode records = new ObjectMapper().readTree(file.toFile());
      for (JsonNode record : records) {
        if (pairs.size() >= limit) {
          break;
        }
        String a = record.get(first).asText();
        String b = record.get(second).asText();
        sentences.add(a);
        sentences.add(b);
        pairs.add(new String[] {a, b});
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }
}
