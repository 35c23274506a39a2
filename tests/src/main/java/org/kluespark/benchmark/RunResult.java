package org.kluespark.benchmark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * One child JVM's measurement, printed by the child as one line {@value #MARKER}{@code {json}} on stdout.
 * Unknown figures are -1 (tokens, inference time, RSS) or 0 (partitions, for systems without Spark).
 *
 * @param seconds wall time of the timed pass only (warm-up, JVM and Spark start-up excluded)
 * @param realTokens tokens of the texts, special tokens included, after truncation
 * @param paddedTokens tokens the model computed: Σ rows × padded length over batches
 * @param threads how the system uses the cores, e.g. {@code 2} (one loop, 2 intra-op threads) or
 *     {@code 2x1} (2 Spark task threads, 1 intra-op thread each)
 * @param modelLoads ONNX Runtime sessions created in the JVM for the workload (warm-up included)
 * @param outputRows rows with an embedding in the output, checked after timing
 * @param reusedRows rows whose vector was copied from an earlier row with the same text (the stage's
 *     {@code kluespark.duplicateRows} counter), or -1 when the system does not report it
 */
public record RunResult(String system, String workload, String model, int run, int rows, double seconds,
    long realTokens, long paddedTokens, long batches, double inferenceSeconds, String threads, long peakHeapBytes,
    long peakRssBytes, int modelLoads, int partitions, long outputRows, int dimension, long reusedRows) {

  public static final String MARKER = "KLUESPARK-BENCHMARK-RESULT ";

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public double sentencesPerSecond() {
    return rows / seconds;
  }

  /** Real / padded tokens, or empty when the system does not report them. */
  public Optional<Double> paddingEfficiency() {
    return realTokens < 0 || paddedTokens <= 0 ? Optional.empty() : Optional.of((double) realTokens / paddedTokens);
  }

  public String toLine() {
    try {
      return MARKER + JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The result in a child's output, or empty when no line carries the marker. */
  public static Optional<RunResult> find(Iterable<String> lines) {
    RunResult found = null;
    for (String line : lines) {
      int at = line.indexOf(MARKER);
      if (at >= 0) {
        try {
          found = JSON.readValue(line.substring(at + MARKER.length()), RunResult.class);
        } catch (JsonProcessingException e) {
          throw new IllegalStateException("Unreadable result line: " + line, e);
        }
      }
    }
    return Optional.ofNullable(found);
  }
}
