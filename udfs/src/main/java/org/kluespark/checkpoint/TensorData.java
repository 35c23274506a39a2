package org.kluespark.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * Streams a tensor's bytes into a float array in bounded chunks, so neither the file nor the tensor's
 * bytes are ever held whole (checkpoints exceed 2 GB; a tensor's bytes may too).
 */
final class TensorData {
  private static final int CHUNK_BYTES = 1 << 20;
  /** The longest Java array HotSpot allocates reliably. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private TensorData() {}

  /** The element count as an array length; an error naming the tensor when it exceeds a Java array. */
  static int arrayLength(long elements, String file, String tensor) {
    if (elements > MAX_ELEMENTS) {
      throw new CheckpointException(file + ": tensor \"" + tensor + "\" has " + elements
          + " elements, more than a Java array holds (" + MAX_ELEMENTS
          + "); kluespark cannot convert a model with a single weight this large.");
    }
    return (int) elements;
  }

  /**
   * Reads exactly {@code target.length} elements of {@code dtype} from {@code channel}'s current
   * position; a short read is an error naming {@code what}.
   */
  static void read(ReadableByteChannel channel, TensorDtype dtype, ByteOrder order, float[] target, String what)
      throws IOException {
    int perChunk = CHUNK_BYTES / dtype.byteSize();
    ByteBuffer buffer = ByteBuffer.allocate(Math.min(perChunk, Math.max(target.length, 1)) * dtype.byteSize())
        .order(order);
    int done = 0;
    while (done < target.length) {
      int count = Math.min(perChunk, target.length - done);
      buffer.clear().limit(count * dtype.byteSize());
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          throw new CheckpointException(what + " ends early: expected " + (long) target.length * dtype.byteSize()
              + " bytes; the file is truncated — download it again.");
        }
      }
      buffer.flip();
      dtype.decode(buffer, target, done, count);
      done += count;
    }
  }
}
