package org.kluespark.tokenize.sentencepiece;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kluespark.convert.ConversionException;

/**
 * The parts of a SentencePiece {@code .model} file (a {@code sentencepiece_model.proto} {@code ModelProto})
 * that a HuggingFace tokenizer.json is built from: the pieces with their scores and types, the trainer's
 * model type and special ids, and the normalizer's precompiled character map. Read with protobuf's wire
 * reader (field numbers from the proto file), so no generated classes are needed; unknown fields are skipped.
 *
 * @param modelType 1 Unigram, 2 BPE, 3 word, 4 char (TrainerSpec.model_type; Unigram when absent)
 * @param precompiledCharsmap the normalization rules compiled into a double-array trie; empty for identity
 */
public record SentencePieceModel(List<Piece> pieces, int modelType, int unkId, int bosId, int eosId, int padId,
    boolean byteFallback, String normalizerName, byte[] precompiledCharsmap, boolean addDummyPrefix,
    boolean removeExtraWhitespaces, boolean escapeWhitespaces) {

  public static final int UNIGRAM = 1;

  /** A piece's type (ModelProto.SentencePiece.Type). */
  public enum PieceType { NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE }

  public record Piece(String piece, float score, PieceType type) {}

  // ModelProto
  private static final int PIECES = 1;
  private static final int TRAINER_SPEC = 2;
  private static final int NORMALIZER_SPEC = 3;
  // ModelProto.SentencePiece
  private static final int PIECE = 1;
  private static final int SCORE = 2;
  private static final int TYPE = 3;
  // TrainerSpec
  private static final int MODEL_TYPE = 3;
  private static final int BYTE_FALLBACK = 35;
  private static final int UNK_ID = 40;
  private static final int BOS_ID = 41;
  private static final int EOS_ID = 42;
  private static final int PAD_ID = 43;
  // NormalizerSpec
  private static final int NAME = 1;
  private static final int PRECOMPILED_CHARSMAP = 2;
  private static final int ADD_DUMMY_PREFIX = 3;
  private static final int REMOVE_EXTRA_WHITESPACES = 4;
  private static final int ESCAPE_WHITESPACES = 5;

  public static SentencePieceModel read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConversionException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      return parse(bytes);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConversionException(file + " is not a SentencePiece model (sentencepiece_model.proto): "
          + e.getMessage() + ". Copy sentencepiece.bpe.model from the model's repository again, or its tokenizer.json.",
          e);
    }
  }

  static SentencePieceModel parse(byte[] bytes) throws IOException {
    Builder b = new Builder();
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case PIECES -> b.pieces.add(piece(in.readBytes().newCodedInput()));
        case TRAINER_SPEC -> trainerSpec(in.readBytes().newCodedInput(), b);
        case NORMALIZER_SPEC -> normalizerSpec(in.readBytes().newCodedInput(), b);
        default -> in.skipField(tag);
      }
    }
    if (b.pieces.isEmpty()) {
      throw new IllegalArgumentException("it has no pieces");
    }
    return new SentencePieceModel(List.copyOf(b.pieces), b.modelType, b.unkId, b.bosId, b.eosId, b.padId,
        b.byteFallback, b.normalizerName, b.charsmap, b.addDummyPrefix, b.removeExtraWhitespaces,
        b.escapeWhitespaces);
  }

  private static Piece piece(CodedInputStream in) throws IOException {
    String piece = null;
    float score = 0f;
    int type = 1; // NORMAL, the proto default
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case PIECE -> piece = in.readStringRequireUtf8();
        case SCORE -> score = in.readFloat();
        case TYPE -> type = in.readEnum();
        default -> in.skipField(tag);
      }
    }
    if (piece == null || type < 1 || type > PieceType.values().length) {
      throw new IllegalArgumentException("a piece has no text or an unknown type " + type);
    }
    return new Piece(piece, score, PieceType.values()[type - 1]);
  }

  private static void trainerSpec(CodedInputStream in, Builder b) throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case MODEL_TYPE -> b.modelType = in.readEnum();
        case BYTE_FALLBACK -> b.byteFallback = in.readBool();
        case UNK_ID -> b.unkId = in.readInt32();
        case BOS_ID -> b.bosId = in.readInt32();
        case EOS_ID -> b.eosId = in.readInt32();
        case PAD_ID -> b.padId = in.readInt32();
        default -> in.skipField(tag);
      }
    }
  }

  private static void normalizerSpec(CodedInputStream in, Builder b) throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case NAME -> b.normalizerName = in.readStringRequireUtf8();
        case PRECOMPILED_CHARSMAP -> b.charsmap = in.readByteArray();
        case ADD_DUMMY_PREFIX -> b.addDummyPrefix = in.readBool();
        case REMOVE_EXTRA_WHITESPACES -> b.removeExtraWhitespaces = in.readBool();
        case ESCAPE_WHITESPACES -> b.escapeWhitespaces = in.readBool();
        default -> in.skipField(tag);
      }
    }
  }

  /** Proto defaults for every field a file may omit. */
  private static final class Builder {
    final List<Piece> pieces = new ArrayList<>();
    int modelType = UNIGRAM;
    int unkId = 0;
    int bosId = 1;
    int eosId = 2;
    int padId = -1;
    boolean byteFallback;
    String normalizerName = "";
    byte[] charsmap = new byte[0];
    boolean addDummyPrefix = true;
    boolean removeExtraWhitespaces = true;
    boolean escapeWhitespaces = true;
  }
}
