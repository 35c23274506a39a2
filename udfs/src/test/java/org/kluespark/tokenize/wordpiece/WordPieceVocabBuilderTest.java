package org.kluespark.tokenize.wordpiece;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.TestModels;

class WordPieceVocabBuilderTest {
  private static final List<String> KLUE_SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
  private static final long UNK_ID = 1;

  private static List<String> corpus;
  private static List<String> koreanWords;

  @BeforeAll
  static void readCorpus() {
    corpus = KoreanTexts.datasets().sentences();
    BertWordSplitter splitter = new BertWordSplitter(WordPieceOptions.klue());
    koreanWords = corpus.stream().flatMap(text -> splitter.split(text).stream())
        .filter(word -> word.codePoints().allMatch(c -> c >= 0xAC00 && c <= 0xD7A3))
        .toList();
  }

  @Test
  void smallVocabularyCoversTheCorpusWithRealKoreanSubwords() throws IOException {
    List<String> vocab = WordPieceVocabBuilder.klue().build(corpus, 2000);
    assertThat(vocab).hasSize(2000).doesNotHaveDuplicates().startsWith(KLUE_SPECIALS.toArray(String[]::new));
    assertThat(vocab).doesNotContain("[unused0]"); // the corpus alone fills 2000
    double piecesPerWord = checkCoverage(vocab, "2000");
    assertThat(piecesPerWord).isLessThan(1.6); // measured 1.456 pieces for 2.856 characters per word
  }

  @Test
  void fullSizeVocabularyIsPaddedWithFillers() throws IOException {
    long start = System.nanoTime();
    List<String> vocab = WordPieceVocabBuilder.klue().build(corpus, 32000);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(vocab).hasSize(32000).doesNotHaveDuplicates().startsWith(KLUE_SPECIALS.toArray(String[]::new));
    int learnt = vocab.indexOf("[unused0]");
    System.out.printf("32000-token vocabulary built in %d ms: %d learnt tokens, %d fillers%n",
        millis, learnt, 32000 - learnt);
    assertThat(vocab.subList(learnt, 32000)).allMatch(token -> token.matches("\\[unused\\d+]"));
    assertThat(vocab.get(31999)).isEqualTo("[unused" + (31999 - learnt) + "]");
    double piecesPerWord = checkCoverage(vocab, "32000");
    assertThat(piecesPerWord).isEqualTo(1.0); // the corpus ran out of pairs: every word became one piece
  }

  @Test
  void klueDevSetsGiveAVocabularyThatSplitsUnseenKorean() throws IOException {
    Path klue = TestModels.sharedKlue();
    Assumptions.assumeTrue(Files.isRegularFile(klue.resolve("klue-sts-v1.1_dev.json")),
        "This test needs the KLUE dev sets in ../shared/klue (" + klue + "); see datasets/README.md");
    List<String> klueSentences = KoreanTexts.klueDevSets(klue).sentences();
    long start = System.nanoTime();
    List<String> vocab = WordPieceVocabBuilder.klue().build(klueSentences, 32000);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(vocab).hasSize(32000).doesNotHaveDuplicates();
    // datasets/ was written independently of KLUE: how do its Korean words fare with KLUE's pieces?
    long unknown = 0;
    long pieces = 0;
    try (HuggingFaceTokenizer tokenizer =
        WordPieceTokenizerJsonTest.load(WordPieceTokenizerJson.build(vocab, WordPieceOptions.klue()))) {
      for (String word : koreanWords) {
        long[] ids = tokenizer.encode(word, false, false).getIds();
        pieces += ids.length;
        unknown += ids.length == 1 && ids[0] == UNK_ID ? 1 : 0;
      }
    }
    double piecesPerWord = (double) pieces / koreanWords.size();
    System.out.printf("KLUE dev sets (%d sentences): 32000 tokens (%d learnt) in %d ms; datasets/ Korean words: "
        + "%.3f pieces per word, %d of %d [UNK]%n", klueSentences.size(), vocab.indexOf("[unused0]"), millis,
        piecesPerWord, unknown, koreanWords.size());
    assertThat(piecesPerWord).isLessThan(2.0);
    assertThat(unknown).isLessThan(koreanWords.size() / 50);
  }

  /** The builder's word splitting must match the real normalizer and pre-tokenizer, or characters go missing. */
  @Test
  void everyRawLineIsCoveredCasedAndUncased() throws IOException {
    List<String> lines = KoreanTexts.datasets().lines(); // JSON syntax, English, digits, emoji, the README
    for (WordPieceOptions options : List.of(WordPieceOptions.klue(), WordPieceOptions.defaults())) {
      List<String> vocab = new WordPieceVocabBuilder(options).build(lines, 8000);
      try (HuggingFaceTokenizer tokenizer =
          WordPieceTokenizerJsonTest.load(WordPieceTokenizerJson.build(vocab, options))) {
        for (String line : lines) {
          assertThat(tokenizer.encode(line).getIds()).as("lowercase=%s: %s", options.lowercase(), line)
              .doesNotContain(UNK_ID);
        }
      }
    }
  }

  @Test
  void buildsAreDeterministic() {
    assertThat(WordPieceVocabBuilder.klue().build(corpus, 2000))
        .isEqualTo(WordPieceVocabBuilder.klue().build(new ArrayList<>(corpus), 2000));
  }

  @Test
  void learnsFrequentStemsAndEndings() {
    List<String> vocab = WordPieceVocabBuilder.klue().build(
        List.of("서울에서 만났다", "부산에서 만났다", "서울에서 먹었다", "서울로 갔다"), 60);
    assertThat(vocab.subList(0, 5)).isEqualTo(KLUE_SPECIALS);
    assertThat(vocab).contains("서울", "##에서", "만났다");
  }

  @Test
  void rejectsATargetTooSmallForTheAlphabet() {
    // 5 specials + 3 characters (a, b, c) in both forms = 11
    assertThatThrownBy(() -> WordPieceVocabBuilder.klue().build(List.of("abc cab"), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("A vocabulary of 10 tokens cannot hold the 5 special tokens and the corpus's 3 characters in "
            + "both forms (word start and ##continuation): ask for at least 11 tokens");
    assertThat(WordPieceVocabBuilder.klue().build(List.of("abc cab"), 11))
        .containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "##a", "##b", "##c");
  }

  @Test
  void lowercasingFoldsCaseBeforeCounting() {
    List<String> vocab = new WordPieceVocabBuilder(WordPieceOptions.defaults()).build(List.of("ABC Abc"), 11);
    assertThat(vocab.subList(5, 11)).containsExactly("a", "b", "c", "##a", "##b", "##c");
  }

  @Test
  void vocabTxtRoundTrips(@TempDir Path dir) {
    List<String> vocab = WordPieceVocabBuilder.klue().build(corpus, 2000);
    Path file = dir.resolve("vocab.txt");
    VocabFile.write(vocab, file);
    assertThat(VocabFile.read(file)).isEqualTo(vocab);
    assertThatThrownBy(() -> VocabFile.write(List.of("[PAD]", "a", "[PAD]"), file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Token 2 '[PAD]' appears twice; " + file + " would give it only the later id");
    assertThatThrownBy(() -> VocabFile.write(List.of("[PAD]", "a\nb"), file))
        .hasMessage("Token 1 cannot be written to " + file + ": it is empty or contains a line break");
  }

  /** No corpus sentence meets [UNK]; returns Korean words' average pieces, checked below their characters. */
  private static double checkCoverage(List<String> vocab, String label) throws IOException {
    String json = WordPieceTokenizerJson.build(vocab, WordPieceOptions.klue());
    long pieces = 0;
    long chars = 0;
    try (HuggingFaceTokenizer tokenizer = WordPieceTokenizerJsonTest.load(json)) {
      for (String sentence : corpus) {
        long[] ids = tokenizer.encode(sentence).getIds();
        assertThat(ids).as(sentence).doesNotContain(UNK_ID);
      }
      for (String word : koreanWords) {
        int n = tokenizer.encode(word, false, false).getIds().length;
        pieces += n;
        chars += word.length();
      }
    }
    double piecesPerWord = (double) pieces / koreanWords.size();
    double charsPerWord = (double) chars / koreanWords.size();
    System.out.printf("vocab %s: %d sentences without [UNK]; %d Korean words, %.3f pieces and %.3f characters "
        + "per word%n", label, corpus.size(), koreanWords.size(), piecesPerWord, charsPerWord);
    assertThat(koreanWords).hasSizeGreaterThan(1000);
    assertThat(piecesPerWord).isLessThan(charsPerWord);
    return piecesPerWord;
  }
}
