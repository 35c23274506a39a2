package org.kluespark.job.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * The maxSeqLength to embed with: the smallest of {@link #CANDIDATES} that cuts at most {@link #MAX_CUT_SHARE}
 * of the rows, capped by the positions the model has. Attention grows with the square of the length and the
 * batch planner pads to each batch's longest row, so a shorter limit that cuts almost nothing is cheaper.
 *
 * @param maxSeqLength the recommendation
 * @param cutShare the share of rows it cuts
 * @param modelLimit the model's usable positions, null when its config.json does not say
 * @param withinTarget whether it cuts at most {@link #MAX_CUT_SHARE}; false when even the largest allowed
 *     length cuts more
 */
public record SeqLengthAdvice(int maxSeqLength, double cutShare, Integer modelLimit, boolean withinTarget) {
  public static final List<Integer> CANDIDATES = List.of(64, 128, 256, 512);
  public static final double MAX_CUT_SHARE = 0.01;

  public static SeqLengthAdvice recommend(TokenLengths lengths, Integer modelLimit) {
    List<Integer> allowed = allowed(modelLimit);
    for (int candidate : allowed) {
      double cut = lengths.cutShare(candidate);
      if (cut <= MAX_CUT_SHARE) {
        return new SeqLengthAdvice(candidate, cut, modelLimit, true);
      }
    }
    int longest = allowed.get(allowed.size() - 1);
    return new SeqLengthAdvice(longest, lengths.cutShare(longest), modelLimit, false);
  }

  /** The candidates the model can take; the model's own limit when it is below all of them. */
  static List<Integer> allowed(Integer modelLimit) {
    List<Integer> allowed = new ArrayList<>();
    for (int candidate : CANDIDATES) {
      if (modelLimit == null || candidate <= modelLimit) {
        allowed.add(candidate);
      }
    }
    if (allowed.isEmpty()) {
      allowed.add(modelLimit);
    }
    return allowed;
  }
}
