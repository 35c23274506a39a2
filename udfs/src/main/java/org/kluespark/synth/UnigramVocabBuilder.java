package org.kluespark.synth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kluespark.tokenize.sentencepiece.SentencePieceModel;
import org.kluespark.tokenize.sentencepiece.SentencePieceModel.Piece;
import org.kluespark.tokenize.sentencepiece.SentencePieceModel.PieceType;

/**
 * A SentencePiece-style Unigram vocabulary learnt from a corpus for synthetic XLM-R checkpoints: every character,
 * then the letter-and-digit substrings of {@code ▁}-prefixed words (up to 8 characters, seen twice or more) that
 * save the most symbols (count × (length − 1)), each scored by its log frequency, then filler pieces
 * (private-use characters that never occur, score -1000) up to exactly the size asked for. Not SentencePiece's
 * EM training: it only needs Korean text to split into real subwords.
 */
final class UnigramVocabBuilder {
  static final String SPACE = "\u2581";
  private static final int MAX_PIECE = 8;

  private UnigramVocabBuilder() {}

  /** A model of {@code pieces} pieces in fairseq's layout: {@code <unk> <s> </s>} first (spm ids 0, 1, 2). */
  static SentencePieceModel build(List<String> corpus, int pieces) {
    Map<String, Integer> counts = new HashMap<>();
    Map<String, Integer> chars = new HashMap<>();
    for (String line : corpus) {
      for (String word : line.strip().split("\\s+")) {
        if (word.isEmpty()) {
          continue;
        }
        int[] cps = (SPACE + word).codePoints().toArray();
        for (int start = 0; start < cps.length; start++) {
          chars.merge(new String(cps, start, 1), 1, Integer::sum);
          // Multi-character pieces are words and word parts (letters and digits, after an optional ▁), so the
          // corpus' JSON syntax does not crowd them out.
          boolean wordStart = start == 0 || Character.isLetterOrDigit(cps[start]);
          for (int end = start + 2; wordStart && end <= Math.min(cps.length, start + MAX_PIECE)
              && Character.isLetterOrDigit(cps[end - 1]); end++) {
            counts.merge(new String(cps, start, end - start), 1, Integer::sum);
          }
        }
      }
    }
    Comparator<Map.Entry<String, Integer>> byCount =
        Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey());
    Set<String> chosen = new LinkedHashSet<>();
    Map<String, Integer> frequency = new HashMap<>(chars);
    chars.entrySet().stream().sorted(byCount).limit(Math.max(0, pieces - 3)).forEach(e -> chosen.add(e.getKey()));
    // Longer pieces first where they save as many symbols: rank by count x (length - 1).
    Comparator<Map.Entry<String, Integer>> bySavings = Comparator.<Map.Entry<String, Integer>>comparingLong(
        e -> -(long) e.getValue() * (e.getKey().codePointCount(0, e.getKey().length()) - 1))
        .thenComparing(Map.Entry.comparingByKey());
    counts.entrySet().stream().filter(e -> e.getValue() >= 2).sorted(bySavings)
        .limit(Math.max(0, pieces - 3 - chosen.size())).forEach(e -> {
          chosen.add(e.getKey());
          frequency.put(e.getKey(), e.getValue());
        });
    double total = chosen.stream().mapToDouble(frequency::get).sum();

    List<Piece> model = new ArrayList<>(List.of(new Piece("<unk>", 0f, PieceType.UNKNOWN),
        new Piece("<s>", 0f, PieceType.CONTROL), new Piece("</s>", 0f, PieceType.CONTROL)));
    chosen.stream().sorted(Comparator.comparing((String p) -> -frequency.get(p)).thenComparing(p -> p))
        .forEach(p -> model.add(new Piece(p, (float) Math.log(frequency.get(p) / total), PieceType.NORMAL)));
    for (int filler = 0; model.size() < pieces; filler++) {
      model.add(new Piece("\uE000" + filler, -1000f, PieceType.NORMAL));
    }
    return new SentencePieceModel(List.copyOf(model), SentencePieceModel.UNIGRAM, 0, 1, 2, -1, false, "",
        new byte[0], true, true, true);
  }
}
