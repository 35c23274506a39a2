package org.kluespark.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-assembled pickles for tests, opcode by opcode. */
final class PickleBytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  PickleBytes op(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  PickleBytes proto(int version) {
    return op(0x80, version);
  }

  PickleBytes global(String module, String name) {
    op('c');
    byte[] text = (module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
    out.write(text, 0, text.length);
    return this;
  }

  PickleBytes string(String value) {
    byte[] text = value.getBytes(StandardCharsets.UTF_8);
    op(0x8c, text.length);
    out.write(text, 0, text.length);
    return this;
  }

  PickleBytes int1(int value) {
    return op('K', value);
  }

  PickleBytes mark() {
    return op('(');
  }

  PickleBytes tuple() {
    return op('t');
  }

  PickleBytes reduce() {
    return op('R');
  }

  PickleBytes stop() {
    return op('.');
  }

  /** {@code OrderedDict()} as torch pickles it. */
  PickleBytes orderedDict() {
    return global("collections", "OrderedDict").op(')').reduce();
  }

  /**
   * {@code _rebuild_tensor_v2(storage('0', type, numel), offset, size, stride, False, OrderedDict())} for
   * a one-dimensional view.
   */
  PickleBytes tensor1d(String storageType, int numel, int offset, int size, int stride) {
    global("torch._utils", "_rebuild_tensor_v2").mark();
    mark().string("storage").global("torch", storageType).string("0").string("cpu").int1(numel).tuple().op('Q');
    int1(offset).int1(size).op(0x85).int1(stride).op(0x85).op(0x89).orderedDict();
    return tuple().reduce();
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
