package org.kluespark.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kluespark.checkpoint.RestrictedUnpickler.PickleTuple;
import org.kluespark.checkpoint.RestrictedUnpickler.TorchTensor;

class RestrictedUnpicklerTest {
  private static final String ADVICE = ". kluespark reads only tensors from pytorch_model.bin; convert the"
      + " checkpoint to model.safetensors or check where it came from.";

  private static Object load(PickleBytes pickle) {
    return RestrictedUnpickler.load(pickle.bytes(), "/models/x/pytorch_model.bin", "pytorch_model.bin");
  }

  @Test
  void rebuildsAStateDictOfTensorDescriptions() {
    PickleBytes pickle = new PickleBytes().proto(2).orderedDict().op('q', 0)
        .mark().string("w").tensor1d("HalfStorage", 9, 3, 2, 4).string("b").tensor1d("LongStorage", 2, 0, 2, 1)
        .op('u').stop();

    Object root = load(pickle);

    assertThat(root).isInstanceOf(Map.class);
    Map<Object, Object> dict = new LinkedHashMap<>((Map<?, ?>) root);
    assertThat(dict.keySet()).containsExactly("w", "b");
    TorchTensor w = (TorchTensor) dict.get("w");
    assertThat(w.storage().key()).isEqualTo("0");
    assertThat(w.storage().dtype()).isEqualTo(TensorDtype.F16);
    assertThat(w.storage().numel()).isEqualTo(9);
    assertThat(w.offset()).isEqualTo(3);
    assertThat(w.size()).containsExactly(2);
    assertThat(w.stride()).containsExactly(4);
    assertThat(((TorchTensor) dict.get("b")).storage().dtype()).isEqualTo(TensorDtype.I64);
  }

  @Test
  void readsScalarsListsAndMemo() {
    PickleBytes pickle = new PickleBytes().proto(2).op(']').op('q', 7).mark()
        .op(0x8a, 2, 0x00, 0x80) // LONG1 -32768
        .op(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1) // LONG1 2^64
        .op('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0) // BINFLOAT 1.5
        .op('M', 0x34, 0x12).op('J', 0xff, 0xff, 0xff, 0xff).op('N').op(0x88)
        .op('h', 7) // BINGET: the list itself
        .tuple().op('a').stop();

    List<?> list = (List<?>) load(pickle);

    assertThat(list).hasSize(1);
    List<Object> items = ((PickleTuple) list.get(0)).items();
    assertThat(items.subList(0, 7)).containsExactly(-32768L, BigInteger.ONE.shiftLeft(64), 1.5, 0x1234L, -1L, null,
        true);
    assertThat(items.get(7)).isSameAs(list);
  }

  @Test
  void refusesADisallowedGlobalEvenIfItIsNeverCalled() {
    PickleBytes pickle = new PickleBytes().proto(2).global("posix", "system").op('0').op('N').stop();

    assertThatThrownBy(() -> load(pickle)).isInstanceOf(CheckpointException.class)
        .hasMessage("/models/x/pytorch_model.bin: refusing to load: the pickle calls posix.system, which is not a"
            + " tensor" + ADVICE);
  }

  @Test
  void refusesADisallowedStackGlobal() {
    PickleBytes pickle = new PickleBytes().proto(4).string("subprocess").string("Popen").op(0x93).stop();

    assertThatThrownBy(() -> load(pickle)).isInstanceOf(CheckpointException.class)
        .hasMessage("/models/x/pytorch_model.bin: refusing to load: the pickle calls subprocess.Popen, which is"
            + " not a tensor" + ADVICE);
  }

  @Test
  void refusesCallingAnAllowedTypeMarker() {
    PickleBytes pickle = new PickleBytes().proto(2).global("torch", "FloatStorage").op(')').reduce().stop();

    assertThatThrownBy(() -> load(pickle)).isInstanceOf(CheckpointException.class)
        .hasMessage("/models/x/pytorch_model.bin: refusing to load: the pickle calls torch.FloatStorage, which is"
            + " not a tensor" + ADVICE);
  }

  @Test
  void refusesOpcodesAStateDictDoesNotUse() {
    // INST (protocol 0's "build an instance") names a class inline.
    PickleBytes pickle = new PickleBytes().proto(2).mark().op('i').stop();

    assertThatThrownBy(() -> load(pickle)).isInstanceOf(CheckpointException.class)
        .hasMessage("/models/x/pytorch_model.bin: refusing to load: the pickle uses opcode 0x69 ('i') at byte 3,"
            + " which torch.save of a state dict does not emit" + ADVICE);
    // NEWOBJ (0x81) builds objects of any class.
    assertThatThrownBy(() -> load(new PickleBytes().proto(2).op(0x81).stop()))
        .hasMessageStartingWith("/models/x/pytorch_model.bin: refusing to load: the pickle uses opcode 0x81 at"
            + " byte 2,");
  }

  @Test
  void malformedPicklesAreErrorsNotCrashes() {
    assertThatThrownBy(() -> load(new PickleBytes().proto(2).op('X', 0xff, 0, 0, 0)))
        .isInstanceOf(CheckpointException.class)
        .hasMessage("/models/x/pytorch_model.bin: the pickled state dict is malformed: a value of 255 bytes runs"
            + " past the end (0 left); the file is corrupt or not a torch.save of a state dict — provide"
            + " model.safetensors instead.");
    assertThatThrownBy(() -> load(new PickleBytes().proto(2).op('J', 1))).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("malformed: it ends in the middle of an opcode's argument");
    assertThatThrownBy(() -> load(new PickleBytes().proto(2).op('N'))).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("malformed: it ends without a STOP opcode");
    assertThatThrownBy(() -> load(new PickleBytes().proto(2).mark().stop())).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("malformed: an opcode at byte 3 pops an empty stack");
    assertThatThrownBy(() -> load(new PickleBytes().proto(2).op('h', 3).stop()))
        .hasMessageContaining("malformed: memo entry 3 is read before it is written");
  }
}
