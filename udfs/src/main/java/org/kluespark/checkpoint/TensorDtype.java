package org.kluespark.checkpoint;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Element types of stored tensors, named as safetensors names them. Floating types are widened (or,
 * for F64, narrowed) to float32; integer and boolean types are buffers such as {@code position_ids},
 * which the readers skip; the rest cannot be read.
 */
public enum TensorDtype {
  F64(8, Kind.FLOAT),
  F32(4, Kind.FLOAT),
  F16(2, Kind.FLOAT),
  BF16(2, Kind.FLOAT),
  I64(8, Kind.INTEGER),
  I32(4, Kind.INTEGER),
  I16(2, Kind.INTEGER),
  I8(1, Kind.INTEGER),
  U64(8, Kind.INTEGER),
  U32(4, Kind.INTEGER),
  U16(2, Kind.INTEGER),
  U8(1, Kind.INTEGER),
  BOOL(1, Kind.INTEGER),
  F8_E4M3(1, Kind.UNSUPPORTED),
  F8_E5M2(1, Kind.UNSUPPORTED),
  C64(8, Kind.UNSUPPORTED),
  C128(16, Kind.UNSUPPORTED);

  private enum Kind { FLOAT, INTEGER, UNSUPPORTED }

  private final int byteSize;
  private final Kind kind;

  TensorDtype(int byteSize, Kind kind) {
    this.byteSize = byteSize;
    this.kind = kind;
  }

  public int byteSize() {
    return byteSize;
  }

  /** Weights: converted to float32. */
  public boolean isFloatingPoint() {
    return kind == Kind.FLOAT;
  }

  /** Integer/boolean buffers (e.g. {@code position_ids}): not weights, skipped by the readers. */
  public boolean isSkipped() {
    return kind == Kind.INTEGER;
  }

  /** The dtype a safetensors header names, if it is one of the known names. */
  public static Optional<TensorDtype> fromSafetensors(String name) {
    for (TensorDtype dtype : values()) {
      if (dtype.name().equals(name)) {
        return Optional.of(dtype);
      }
    }
    return Optional.empty();
  }

  /**
   * Reads {@code count} elements of this (floating) dtype from {@code source}, in its byte order, into
   * {@code target[offset..]}.
   */
  void decode(ByteBuffer source, float[] target, int offset, int count) {
    switch (this) {
      case F32 -> source.asFloatBuffer().get(target, offset, count);
      case F64 -> {
        for (int i = 0; i < count; i++) {
          target[offset + i] = (float) source.getDouble(source.position() + i * 8);
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          target[offset + i] = HalfFloats.halfToFloat(source.getShort(source.position() + i * 2));
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          target[offset + i] = HalfFloats.bfloat16ToFloat(source.getShort(source.position() + i * 2));
        }
      }
      default -> throw new IllegalStateException(this + " is not a floating dtype");
    }
    source.position(source.position() + count * byteSize);
  }
}
