package org.kluespark.tokenize.wordpiece;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a WordPiece vocabulary of an exact size from a text corpus, deterministically, for synthetic test models.
 *
 * <p>The vocabulary, in id order:
 * <ol>
 *   <li>the special tokens in KLUE's order: pad, unk, cls, sep, mask ({@code [PAD]=0 ... [MASK]=4});
 *   <li>every character of the corpus's words, most frequent first, as a word start ({@code 가}) and then all of
 *       them again as continuations ({@code ##가}), so no corpus text ever becomes {@code [UNK]};
 *   <li>multi-character pieces learnt BPE-style: words start as characters, and the adjacent pair of pieces
 *       with the highest corpus frequency is merged everywhere (ties: the merged text, then the left piece, in
 *       code-unit order), its result ({@code 전국}, {@code ##습니다}) joining the vocabulary, until the target
 *       size is reached or every word is a single piece;
 *   <li>if the corpus runs out first, fillers {@code [unused0]}, {@code [unused1]}, ... up to the target size
 *       ({@code [} and {@code ]} are punctuation, so no text can produce them).
 * </ol>
 * Greedy longest-match-first WordPiece then finds the learnt pieces: Korean words (eojeol) split into stems
 * and frequent endings such as {@code ##에서}, {@code ##습니다}. Words are split as BERT does (see
 * {@link BertWordSplitter}), with the normalisation of the given options; words over 100 characters are
 * skipped, as WordPiece turns them into {@code [UNK]} whole.
 */
public final class WordPieceVocabBuilder {
  private static final int MAX_INPUT_CHARS_PER_WORD = 100;
  private static final String CONTINUATION = "##";

  private final WordPieceOptions options;
  private final BertWordSplitter splitter;

  public WordPieceVocabBuilder(WordPieceOptions options) {
    this.options = options;
    this.splitter = new BertWordSplitter(options);
  }

  /** Cased, as KLUE BERT/RoBERTa ({@link WordPieceOptions#klue()}). */
  public static WordPieceVocabBuilder klue() {
    return new WordPieceVocabBuilder(WordPieceOptions.klue());
  }

  /** A vocabulary of exactly {@code targetSize} tokens (index = id) learnt from {@code texts}. */
  public List<String> build(Iterable<String> texts, int targetSize) {
    Map<String, Long> wordCounts = countWords(texts);
    Map<Integer, Long> charCounts = new HashMap<>();
    wordCounts.forEach((word, count) -> word.codePoints().forEach(c -> charCounts.merge(c, count, Long::sum)));
    List<Integer> alphabet = new ArrayList<>(charCounts.keySet());
    alphabet.sort(Comparator.comparing((Integer c) -> -charCounts.get(c)).thenComparing(c -> c));

    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (SpecialToken special : List.of(options.pad(), options.unk(), options.cls(), options.sep(), options.mask())) {
      vocab.putIfAbsent(special.content(), vocab.size());
    }
    int minimum = vocab.size() + 2 * alphabet.size();
    if (targetSize < minimum) {
      throw new IllegalArgumentException("A vocabulary of " + targetSize + " tokens cannot hold the "
          + vocab.size() + " special tokens and the corpus's " + alphabet.size() + " characters in both forms "
          + "(word start and ##continuation): ask for at least " + minimum + " tokens");
    }
    alphabet.forEach(c -> vocab.putIfAbsent(new String(Character.toChars(c)), vocab.size()));
    alphabet.forEach(c -> vocab.putIfAbsent(CONTINUATION + new String(Character.toChars(c)), vocab.size()));

    new PairMerger(wordCounts).mergeUntil(vocab, targetSize);

    List<String> tokens = new ArrayList<>(vocab.keySet());
    for (int filler = 0; tokens.size() < targetSize; filler++) {
      String token = "[unused" + filler + "]";
      if (!vocab.containsKey(token)) {
        tokens.add(token);
      }
    }
    return tokens;
  }

  /** Word → corpus frequency, sorted so later steps visit words in a fixed order. */
  private Map<String, Long> countWords(Iterable<String> texts) {
    Map<String, Long> counts = new TreeMap<>();
    for (String text : texts) {
      for (String word : splitter.split(text)) {
        if (word.codePointCount(0, word.length()) <= MAX_INPUT_CHARS_PER_WORD) {
          counts.merge(word, 1L, Long::sum);
        }
      }
    }
    return counts;
  }

  /** BPE-style merging with incremental pair counts, so each merge touches only the words containing the pair. */
  private static final class PairMerger {
    private final List<String> pieces = new ArrayList<>();
    private final Map<String, Integer> pieceIds = new HashMap<>();
    private final List<int[]> words = new ArrayList<>();
    private final List<Long> frequencies = new ArrayList<>();
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, Set<Integer>> pairWords = new HashMap<>();
    private final PriorityQueue<Candidate> queue = new PriorityQueue<>(Comparator
        .comparingLong((Candidate c) -> -c.count()).thenComparing(Candidate::merged).thenComparing(Candidate::left));

    PairMerger(Map<String, Long> wordCounts) {
      wordCounts.forEach((word, count) -> {
        int[] codePoints = word.codePoints().toArray();
        int[] ids = new int[codePoints.length];
        for (int i = 0; i < codePoints.length; i++) {
          String character = new String(Character.toChars(codePoints[i]));
          ids[i] = pieceId(i == 0 ? character : CONTINUATION + character);
        }
        words.add(ids);
        frequencies.add(count);
      });
      for (int w = 0; w < words.size(); w++) {
        addPairs(w, null);
      }
      pairCounts.forEach((pair, count) -> queue.add(candidate(pair, count)));
    }

    void mergeUntil(Map<String, Integer> vocab, int targetSize) {
      while (vocab.size() < targetSize && !queue.isEmpty()) {
        Candidate best = queue.poll();
        if (!Long.valueOf(best.count()).equals(pairCounts.get(best.pair()))) {
          continue; // stale: the pair's count changed since this entry was queued
        }
        vocab.putIfAbsent(best.merged(), vocab.size());
        merge(best.pair(), pieceId(best.merged()));
      }
    }

    private void merge(long pair, int mergedId) {
      int left = (int) (pair >>> 32);
      int right = (int) pair;
      Set<Long> changed = new HashSet<>();
      for (int w : new ArrayList<>(pairWords.get(pair))) {
        removePairs(w, changed);
        int[] old = words.get(w);
        int[] merged = new int[old.length];
        int n = 0;
        for (int i = 0; i < old.length; i++) {
          if (i + 1 < old.length && old[i] == left && old[i + 1] == right) {
            merged[n++] = mergedId;
            i++;
          } else {
            merged[n++] = old[i];
          }
        }
        words.set(w, Arrays.copyOf(merged, n));
        addPairs(w, changed);
      }
      for (long p : changed) {
        Long count = pairCounts.get(p);
        if (count != null) {
          queue.add(candidate(p, count));
        }
      }
    }

    private void addPairs(int w, Set<Long> changed) {
      int[] ids = words.get(w);
      for (int i = 0; i + 1 < ids.length; i++) {
        long pair = pairKey(ids[i], ids[i + 1]);
        pairCounts.merge(pair, frequencies.get(w), Long::sum);
        pairWords.computeIfAbsent(pair, p -> new HashSet<>()).add(w);
        if (changed != null) {
          changed.add(pair);
        }
      }
    }

    private void removePairs(int w, Set<Long> changed) {
      int[] ids = words.get(w);
      for (int i = 0; i + 1 < ids.length; i++) {
        long pair = pairKey(ids[i], ids[i + 1]);
        long count = pairCounts.get(pair) - frequencies.get(w);
        if (count == 0) {
          pairCounts.remove(pair);
          pairWords.remove(pair);
        } else {
          pairCounts.put(pair, count);
          pairWords.get(pair).remove(w);
        }
        changed.add(pair);
      }
    }

    private Candidate candidate(long pair, long count) {
      String left = pieces.get((int) (pair >>> 32));
      String right = pieces.get((int) pair);
      return new Candidate(pair, count, left + right.substring(CONTINUATION.length()), left);
    }

    private int pieceId(String piece) {
      return pieceIds.computeIfAbsent(piece, p -> {
        pieces.add(p);
        return pieces.size() - 1;
      });
    }

    private static long pairKey(int left, int right) {
      return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }
  }

  private record Candidate(long pair, long count, String merged, String left) {}
}
