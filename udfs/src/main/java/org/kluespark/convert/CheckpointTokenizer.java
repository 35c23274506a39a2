package org.kluespark.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kluespark.model.TokenizerFile;
import org.kluespark.tokenize.sentencepiece.XlmRobertaTokenizerJson;
import org.kluespark.tokenize.wordpiece.VocabFile;
import org.kluespark.tokenize.wordpiece.WordPieceTokenizerJson;

/**
 * A checkpoint's tokenizer as the bundle will hold it: its {@code tokenizer.json} as is, else the one built from
 * {@code vocab.txt} (WordPiece) or, for XLM-R and models that declare its tokenizer (multilingual-e5-small), from
 * {@code sentencepiece.bpe.model}. Read before the graph is
 * written, so a tokenizer that does not fit the model is refused before any work.
 *
 * @param file the file the tokenizer came from
 * @param builtFrom the file name it was built from, or null when {@code tokenizer.json} was taken as is
 */
record CheckpointTokenizer(String json, Path file, String builtFrom) {

  static CheckpointTokenizer of(Path checkpointDir, EncoderFamily family) {
    Path tokenizerJson = checkpointDir.resolve(CheckpointConverter.TOKENIZER_FILE);
    if (Files.isRegularFile(tokenizerJson)) {
      try {
        return new CheckpointTokenizer(Files.readString(tokenizerJson, StandardCharsets.UTF_8), tokenizerJson, null);
      } catch (IOException e) {
        throw new ConversionException("Cannot read " + tokenizerJson + ": " + e.getMessage(), e);
      }
    }
    Path spm = checkpointDir.resolve(XlmRobertaTokenizerJson.SPM_FILE);
    // multilingual-e5-small is a BertModel with XLM-R's tokenizer: tokenizer_config.json says so.
    if (family == EncoderFamily.XLM_ROBERTA || declaresXlmRobertaTokenizer(checkpointDir)) {
      if (Files.isRegularFile(spm)) {
        return new CheckpointTokenizer(XlmRobertaTokenizerJson.fromCheckpoint(checkpointDir), spm,
            XlmRobertaTokenizerJson.SPM_FILE);
      }
      throw new ConversionException(checkpointDir + " has neither tokenizer.json nor "
          + XlmRobertaTokenizerJson.SPM_FILE + ": an XLM-RoBERTa tokenizer is read from one of them. Copy "
          + "tokenizer.json (or sentencepiece.bpe.model) from the model's repository into " + checkpointDir + ".");
    }
    if (Files.isRegularFile(spm) && !Files.isRegularFile(checkpointDir.resolve(VocabFile.FILE_NAME))) {
      throw new ConversionException(checkpointDir + " has " + XlmRobertaTokenizerJson.SPM_FILE
          + " but no tokenizer.json, and its model_type is \"" + family.modelType() + "\": kluespark builds a "
          + "tokenizer from a SentencePiece model only for \"xlm-roberta\" or a tokenizer_config.json with "
          + "\"tokenizer_class\": \"XLMRobertaTokenizer\" (whose id layout it knows). Copy the model's tokenizer.json "
          + "into " + checkpointDir + ".");
    }
    return new CheckpointTokenizer(WordPieceTokenizerJson.fromCheckpoint(checkpointDir),
        checkpointDir.resolve(VocabFile.FILE_NAME), VocabFile.FILE_NAME);
  }

  private static boolean declaresXlmRobertaTokenizer(Path checkpointDir) {
    Path config = checkpointDir.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(config)) {
      return false;
    }
    try {
      String tokenizerClass = new ObjectMapper().readTree(config.toFile()).path("tokenizer_class").asText("");
      return tokenizerClass.equals("XLMRobertaTokenizer") || tokenizerClass.equals("XLMRobertaTokenizerFast");
    } catch (IOException e) {
      throw new ConversionException(config + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Refuses a tokenizer that can emit ids past the embedding table (e.g. an XLM-R checkpoint beside another
   * model's tokenizer): those ids would fail or, worse, read another row at run time. The table's rows are
   * config.json's vocab_size, which {@link EncoderWeights} has checked against the weights.
   */
  void checkFits(EncoderConfig config, Path configFile) {
    int size = TokenizerFile.vocabularySize(json, file.toString());
    if (size > config.vocabSize()) {
      throw new ConversionException(file + " can emit token ids up to " + (size - 1) + " (a vocabulary of " + size
          + ") but the model's embedding table has " + config.vocabSize() + " rows (" + configFile + ": vocab_size, "
          + "and the word_embeddings weight). The tokenizer does not belong to this model: use the tokenizer from the "
          + "model's own repository.");
    }
  }

  void write(Path target) {
    try {
      Files.writeString(target, json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + target + ": " + e.getMessage(), e);
    }
  }
}
