package org.kluespark.examples;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The KLUE metrics of the downstream examples, computed on the driver from collected labels: macro F1 (YNAT;
 * Spark's {@code MulticlassClassificationEvaluator} "f1" is the weighted F1, not KLUE's), Pearson's r (STS),
 * accuracy (NLI) and seqeval-style entity F1 (NER).
 */
public final class KlueMetrics {
  private KlueMetrics() {}

  /** A named entity: tokens {@code start..end} (inclusive) of one sentence, of one type. */
  public record Entity(int sentence, int start, int end, String type) {}

  /** Entity-level precision, recall and F1 with the counts they come from. */
  public record EntityScores(int gold, int predicted, int correct, double precision, double recall, double f1) {}

  /**
   * The unweighted mean of the per-class F1 scores over every label seen in {@code gold} or {@code predicted}
   * (scikit-learn's {@code f1_score(average="macro")}, which KLUE's YNAT score is); a class never predicted or
   * never gold has F1 0.
   */
  public static double macroF1(List<String> gold, List<String> predicted) {
    requireSameSize(gold, predicted);
    Set<String> labels = new LinkedHashSet<>(gold);
    labels.addAll(predicted);
    double sum = 0;
    for (String label : labels) {
      int truePositives = 0;
      int goldCount = 0;
      int predictedCount = 0;
      for (int i = 0; i < gold.size(); i++) {
        boolean isGold = label.equals(gold.get(i));
        boolean isPredicted = label.equals(predicted.get(i));
        goldCount += isGold ? 1 : 0;
        predictedCount += isPredicted ? 1 : 0;
        truePositives += isGold && isPredicted ? 1 : 0;
      }
      sum += f1(truePositives, predictedCount, goldCount);
    }
    return sum / labels.size();
  }

  /** The fraction of positions where {@code predicted} equals {@code gold}. */
  public static double accuracy(List<String> gold, List<String> predicted) {
    requireSameSize(gold, predicted);
    int correct = 0;
    for (int i = 0; i < gold.size(); i++) {
      correct += Objects.equals(gold.get(i), predicted.get(i)) ? 1 : 0;
    }
    return (double) correct / gold.size();
  }

  /** Pearson's correlation coefficient of two equally long series (NaN when either is constant). */
  public static double pearson(double[] x, double[] y) {
    if (x.length != y.length || x.length < 2) {
      throw new IllegalArgumentException("pearson needs two series of the same length >= 2, got "
          + x.length + " and " + y.length);
    }
    double meanX = mean(x);
    double meanY = mean(y);
    double covariance = 0;
    double varianceX = 0;
    double varianceY = 0;
    for (int i = 0; i < x.length; i++) {
      double dx = x[i] - meanX;
      double dy = y[i] - meanY;
      covariance += dx * dy;
      varianceX += dx * dx;
      varianceY += dy * dy;
    }
    return covariance / Math.sqrt(varianceX * varianceY);
  }

  /** The cosine of the angle between two vectors of the same length. */
  public static double cosine(double[] a, double[] b) {
    double dot = 0;
    double normA = 0;
    double normB = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      normA += a[i] * a[i];
      normB += b[i] * b[i];
    }
    return dot / Math.sqrt(normA * normB);
  }

  /**
   * The entities of one BIO-tagged sentence, as seqeval reads them: {@code B-X} starts an entity of type X,
   * {@code I-X} continues one of type X or, after anything else, starts one; {@code O} and any other tag end
   * it. So entities are the maximal B-/I- spans of one type.
   */
  public static List<Entity> entities(int sentence, List<String> tags) {
    List<Entity> found = new ArrayList<>();
    String type = null;
    int start = -1;
    for (int i = 0; i <= tags.size(); i++) {
      String tag = i < tags.size() ? tags.get(i) : "O";
      String tagType = tag.startsWith("B-") || tag.startsWith("I-") ? tag.substring(2) : null;
      boolean continues = type != null && tag.startsWith("I-") && type.equals(tagType);
      if (!continues) {
        if (type != null) {
          found.add(new Entity(sentence, start, i - 1, type));
        }
        type = tagType;
        start = i;
      }
    }
    return found;
  }

  /**
   * Micro-averaged entity-level F1 over sentences (seqeval's default): an entity counts as correct when the
   * prediction has one with the same type, start and end.
   */
  public static EntityScores entityF1(List<List<String>> gold, List<List<String>> predicted) {
    requireSameSize(gold, predicted);
    Set<Entity> goldEntities = new LinkedHashSet<>();
    Set<Entity> predictedEntities = new LinkedHashSet<>();
    for (int s = 0; s < gold.size(); s++) {
      if (gold.get(s).size() != predicted.get(s).size()) {
        throw new IllegalArgumentException("sentence " + s + " has " + gold.get(s).size() + " gold tags but "
            + predicted.get(s).size() + " predicted tags");
      }
      goldEntities.addAll(entities(s, gold.get(s)));
      predictedEntities.addAll(entities(s, predicted.get(s)));
    }
    int correct = 0;
    for (Entity entity : predictedEntities) {
      correct += goldEntities.contains(entity) ? 1 : 0;
    }
    double precision = predictedEntities.isEmpty() ? 0 : (double) correct / predictedEntities.size();
    double recall = goldEntities.isEmpty() ? 0 : (double) correct / goldEntities.size();
    double f1 = f1(correct, predictedEntities.size(), goldEntities.size());
    return new EntityScores(goldEntities.size(), predictedEntities.size(), correct, precision, recall, f1);
  }

  private static double f1(int truePositives, int predictedCount, int goldCount) {
    // 2PR/(P+R) = 2TP/(predicted+gold); 0 when nothing is predicted or gold (scikit-learn's zero_division=0).
    int denominator = predictedCount + goldCount;
    return denominator == 0 ? 0 : 2.0 * truePositives / denominator;
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum / values.length;
  }

  private static void requireSameSize(List<?> gold, List<?> predicted) {
    if (gold.size() != predicted.size() || gold.isEmpty()) {
      throw new IllegalArgumentException("gold and predicted need the same non-zero length, got "
          + gold.size() + " and " + predicted.size());
    }
  }
}
