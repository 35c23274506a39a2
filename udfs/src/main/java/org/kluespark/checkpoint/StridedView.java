package org.kluespark.checkpoint;

import java.util.Arrays;

/** Gathers a strided view of a flat storage into a fresh row-major array (PyTorch's {@code .contiguous()}). */
final class StridedView {
  private StridedView() {}

  /**
   * The {@code size}-shaped view starting at element {@code offset} with element {@code stride}s;
   * {@code file} and {@code tensor} name it in errors. Views reaching outside the storage are an error.
   */
  static float[] gather(float[] storage, long offset, long[] size, long[] stride, String file, String tensor) {
    String where = file + ": tensor \"" + tensor + "\"";
    long elements = WeightTensor.elementCount(size);
    float[] result = new float[TensorData.arrayLength(elements, file, tensor)];
    if (elements == 0) {
      return result;
    }
    long last = offset;
    for (int d = 0; d < size.length; d++) {
      last += (size[d] - 1) * stride[d];
    }
    if (offset < 0 || last >= storage.length) {
      throw new CheckpointException(where + ": the view (offset " + offset + ", size " + Arrays.toString(size)
          + ", stride " + Arrays.toString(stride) + ") reaches element " + last + " of a storage of "
          + storage.length + " elements; the file is corrupt.");
    }
    if (isContiguous(size, stride)) {
      System.arraycopy(storage, (int) offset, result, 0, result.length);
      return result;
    }
    int rank = size.length;
    long innerSize = size[rank - 1];
    long innerStride = stride[rank - 1];
    long[] counter = new long[rank];
    long base = offset;
    int out = 0;
    while (true) {
      for (long j = 0; j < innerSize; j++) {
        result[out++] = storage[(int) (base + j * innerStride)];
      }
      int d = rank - 2;
      for (; d >= 0; d--) {
        counter[d]++;
        base += stride[d];
        if (counter[d] < size[d]) {
          break;
        }
        base -= counter[d] * stride[d];
        counter[d] = 0;
      }
      if (d < 0) {
        return result;
      }
    }
  }

  /** Row-major strides (dimensions of size 1 may have any stride). */
  static boolean isContiguous(long[] size, long[] stride) {
    long expected = 1;
    for (int d = size.length - 1; d >= 0; d--) {
      if (size[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= size[d];
    }
    return true;
  }
}
