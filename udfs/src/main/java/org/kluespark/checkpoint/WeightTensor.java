package org.kluespark.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * One named weight of a checkpoint, widened to float32 and stored row-major (C order), as PyTorch
 * and safetensors lay it out. A Linear layer's weight has shape {@code [out, in]}.
 */
public record WeightTensor(String name, long[] shape, float[] values) {

  public WeightTensor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(values, "values");
    long count = elementCount(shape);
    if (count != values.length) {
      throw new IllegalArgumentException(
          "Weight " + name + " has shape " + Arrays.toString(shape) + " (" + count + " values) but "
              + values.length + " values were given.");
    }
  }

  public static long elementCount(long[] shape) {
    long count = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("Negative dimension in shape " + Arrays.toString(shape));
      }
      count = Math.multiplyExact(count, dim);
    }
    return count;
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int axis) {
    return shape[axis];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WeightTensor that && name.equals(that.name) && Arrays.equals(shape, that.shape)
        && Arrays.equals(values, that.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(values));
  }

  @Override
  public String toString() {
    return "WeightTensor[" + name + " " + Arrays.toString(shape) + "]";
  }
}
