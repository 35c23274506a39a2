package org.kluespark.checkpoint;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds the state dict that {@code torch.save(state_dict)} pickles, and nothing else. It interprets
 * only the opcodes such a pickle uses, and a {@code GLOBAL} only when it names an OrderedDict, a torch
 * tensor/parameter rebuild function or a storage type; those "calls" are Java handlers producing
 * {@link TorchTensor} descriptions, so nothing in the file is ever executed. Any other global (say
 * {@code posix.system}) or opcode is refused before anything else happens.
 */
final class RestrictedUnpickler {

  /** A Python tuple. */
  record PickleTuple(List<Object> items) {
    PickleTuple {
      items = Collections.unmodifiableList(new ArrayList<>(items));
    }
  }

  /** A module-qualified name that passed the allow-list. */
  record Global(String module, String name) {
    String qualifiedName() {
      return module + "." + name;
    }
  }

  /** A storage the pickle refers to by persistent id; its bytes are {@code <prefix>/data/<key>} in the zip. */
  record TorchStorage(String key, TensorDtype dtype, String typeName, long numel) {}

  /** A tensor as a view of a storage: element offset, sizes and strides in elements. */
  record TorchTensor(TorchStorage storage, long offset, long[] size, long[] stride) {}

  private static final Set<String> CALLABLES = Set.of(
      "collections.OrderedDict",
      "torch._utils._rebuild_tensor_v2",
      "torch._utils._rebuild_parameter",
      "torch._utils._rebuild_parameter_with_state",
      "torch._tensor._rebuild_from_type_v2");
  /** Types that appear as values (storage types in persistent ids, tensor types in _rebuild_from_type_v2). */
  private static final Set<String> TYPE_MARKERS = Set.of(
      "torch.Tensor", "torch._tensor.Tensor", "torch.nn.parameter.Parameter");
  private static final Map<String, TensorDtype> STORAGE_TYPES = Map.ofEntries(
      Map.entry("FloatStorage", TensorDtype.F32),
      Map.entry("HalfStorage", TensorDtype.F16),
      Map.entry("BFloat16Storage", TensorDtype.BF16),
      Map.entry("DoubleStorage", TensorDtype.F64),
      Map.entry("LongStorage", TensorDtype.I64),
      Map.entry("IntStorage", TensorDtype.I32),
      Map.entry("ShortStorage", TensorDtype.I16),
      Map.entry("CharStorage", TensorDtype.I8),
      Map.entry("ByteStorage", TensorDtype.U8),
      Map.entry("BoolStorage", TensorDtype.BOOL),
      Map.entry("ComplexFloatStorage", TensorDtype.C64),
      Map.entry("ComplexDoubleStorage", TensorDtype.C128));

  private static final Object MARK = new Object();

  private final ByteBuffer in;
  private final String source;
  private final String fileName;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private RestrictedUnpickler(byte[] pickle, String source, String fileName) {
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    this.source = source;
    this.fileName = fileName;
  }

  /**
   * Unpickles {@code pickle} (a checkpoint's {@code data.pkl}); {@code source} names the checkpoint in
   * errors and {@code fileName} is the checkpoint's file name for the refusal advice.
   */
  static Object load(byte[] pickle, String source, String fileName) {
    RestrictedUnpickler unpickler = new RestrictedUnpickler(pickle, source, fileName);
    try {
      return unpickler.run();
    } catch (java.nio.BufferUnderflowException e) {
      throw unpickler.malformed("it ends in the middle of an opcode's argument");
    }
  }

  private Object run() {
    while (true) {
      if (!in.hasRemaining()) {
        throw malformed("it ends without a STOP opcode");
      }
      int position = in.position();
      int opcode = in.get() & 0xff;
      switch (opcode) {
        case 0x80 -> in.get(); // PROTO: the version does not change how these opcodes read
        case 0x95 -> bytes(8); // FRAME: a length hint for buffered readers
        case '.' -> {
          return pop();
        }
        case '(' -> marks.add(stack.size());
        case '}' -> push(new LinkedHashMap<>());
        case ']' -> push(new ArrayList<>());
        case ')' -> push(new PickleTuple(List.of()));
        case 't' -> push(new PickleTuple(popMark()));
        case 0x85 -> push(tuple(1));
        case 0x86 -> push(tuple(2));
        case 0x87 -> push(tuple(3));
        case 'l' -> push(new ArrayList<>(popMark()));
        case 'd' -> {
          Map<Object, Object> dict = new LinkedHashMap<>();
          putAll(dict, popMark());
          push(dict);
        }
        case 'a' -> {
          Object item = pop();
          list(peek()).add(item);
        }
        case 'e' -> {
          List<Object> items = popMark();
          list(peek()).addAll(items);
        }
        case 's' -> {
          Object value = pop();
          Object key = pop();
          dict(peek()).put(key, value);
        }
        case 'u' -> {
          List<Object> items = popMark();
          putAll(dict(peek()), items);
        }
        case 'q' -> memo.put((long) (in.get() & 0xff), peek());
        case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());
        case 0x94 -> memo.put((long) memo.size(), peek());
        case 'h' -> push(memoGet(in.get() & 0xff));
        case 'j' -> push(memoGet(in.getInt() & 0xffffffffL));
        case 0x8c -> push(utf8(in.get() & 0xff));
        case 'X' -> push(utf8(in.getInt() & 0xffffffffL));
        case 0x8d -> push(utf8(in.getLong()));
        case 'U' -> push(latin1(in.get() & 0xff));
        case 'T' -> push(latin1(in.getInt()));
        case 'J' -> push((long) in.getInt());
        case 'K' -> push((long) (in.get() & 0xff));
        case 'M' -> push((long) (in.getShort() & 0xffff));
        case 0x8a -> push(long1(in.get() & 0xff));
        case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
        case 'N' -> push(null);
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case '0' -> pop();
        case '1' -> popMark();
        case '2' -> push(peek());
        case 'c' -> push(global(line(), line()));
        case 0x93 -> {
          String name = string(pop(), "STACK_GLOBAL name");
          String module = string(pop(), "STACK_GLOBAL module");
          push(global(module, name));
        }
        case 'R' -> {
          PickleTuple args = tuple(pop(), "REDUCE arguments");
          push(call(pop(), args));
        }
        case 'b' -> {
          pop(); // state: torch sets an OrderedDict's _metadata (and a tensor's python attributes)
          Object target = peek();
          if (!(target instanceof Map) && !(target instanceof TorchTensor)) {
            throw malformed("BUILD sets the state of " + describe(target));
          }
        }
        case 'Q' -> push(persistentLoad(tuple(pop(), "the persistent id")));
        default -> throw refuse(String.format("uses opcode 0x%02x%s at byte %d, which torch.save of a state dict"
            + " does not emit", opcode, printable(opcode), position));
      }
    }
  }

  private Global global(String module, String name) {
    String qualified = module + "." + name;
    boolean storageType = module.equals("torch") && STORAGE_TYPES.containsKey(name);
    if (!CALLABLES.contains(qualified) && !TYPE_MARKERS.contains(qualified) && !storageType) {
      throw refuse("calls " + qualified + ", which is not a tensor");
    }
    return new Global(module, name);
  }

  /** The allow-listed functions, as Java handlers. */
  private Object call(Object callable, PickleTuple args) {
    if (!(callable instanceof Global global) || !CALLABLES.contains(global.qualifiedName())) {
      throw refuse("calls " + (callable instanceof Global g ? g.qualifiedName() : describe(callable))
          + ", which is not a tensor");
    }
    List<Object> a = args.items();
    switch (global.qualifiedName()) {
      case "collections.OrderedDict" -> {
        if (!a.isEmpty()) {
          throw malformed("OrderedDict is called with arguments");
        }
        return new LinkedHashMap<>();
      }
      case "torch._utils._rebuild_tensor_v2" -> {
        arity(global, a, 6, 7);
        if (!(a.get(0) instanceof TorchStorage storage)) {
          throw malformed("_rebuild_tensor_v2 gets " + describe(a.get(0)) + " instead of a storage");
        }
        long[] size = longs(a.get(2), "tensor size");
        long[] stride = longs(a.get(3), "tensor stride");
        if (size.length != stride.length) {
          throw malformed("a tensor has " + size.length + " sizes but " + stride.length + " strides");
        }
        return new TorchTensor(storage, integer(a.get(1), "storage offset"), size, stride);
      }
      case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
        arity(global, a, global.name().endsWith("with_state") ? 4 : 3, 4);
        return tensor(a.get(0), global);
      }
      case "torch._tensor._rebuild_from_type_v2" -> {
        // (func, new_type, args, state): the tensor is func(*args); the subclass type is irrelevant here.
        arity(global, a, 4, 4);
        return tensor(call(a.get(0), tuple(a.get(2), "_rebuild_from_type_v2 arguments")), global);
      }
      default -> throw new IllegalStateException(global.qualifiedName());
    }
  }

  /** A persistent id {@code ('storage', storage_type, key, location, numel)}. */
  private TorchStorage persistentLoad(PickleTuple pid) {
    List<Object> id = pid.items();
    if (id.size() != 5 || !"storage".equals(id.get(0)) || !(id.get(1) instanceof Global type)
        || !type.module().equals("torch") || !STORAGE_TYPES.containsKey(type.name())) {
      throw malformed("a persistent id is " + describe(pid) + ", not ('storage', <torch storage type>, key,"
          + " location, numel)");
    }
    return new TorchStorage(string(id.get(2), "storage key"), STORAGE_TYPES.get(type.name()), type.name(),
        integer(id.get(4), "storage size"));
  }

  private CheckpointException refuse(String what) {
    return new CheckpointException(source + ": refusing to load: the pickle " + what
        + ". kluespark reads only tensors from " + fileName
        + "; convert the checkpoint to model.safetensors or check where it came from.");
  }

  private CheckpointException malformed(String what) {
    return new CheckpointException(source + ": the pickled state dict is malformed: " + what
        + "; the file is corrupt or not a torch.save of a state dict — provide model.safetensors instead.");
  }

  private void push(Object value) {
    stack.add(value);
  }

  private Object pop() {
    if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size())) {
      throw malformed("an opcode at byte " + (in.position() - 1) + " pops an empty stack");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    if (stack.isEmpty()) {
      throw malformed("an opcode at byte " + (in.position() - 1) + " reads an empty stack");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) {
      throw malformed("an opcode at byte " + (in.position() - 1) + " needs a MARK that is not there");
    }
    int mark = marks.remove(marks.size() - 1);
    List<Object> top = stack.subList(mark, stack.size());
    List<Object> items = new ArrayList<>(top);
    top.clear();
    return items;
  }

  private PickleTuple tuple(int count) {
    Object[] items = new Object[count];
    for (int i = count - 1; i >= 0; i--) {
      items[i] = pop();
    }
    return new PickleTuple(java.util.Arrays.asList(items));
  }

  private Object memoGet(long index) {
    if (!memo.containsKey(index)) {
      throw malformed("memo entry " + index + " is read before it is written");
    }
    return memo.get(index);
  }

  private byte[] bytes(long length) {
    if (length < 0 || length > in.remaining()) {
      throw malformed("a value of " + length + " bytes runs past the end (" + in.remaining() + " left)");
    }
    byte[] bytes = new byte[(int) length];
    in.get(bytes);
    return bytes;
  }

  private String utf8(long length) {
    return new String(bytes(length), StandardCharsets.UTF_8);
  }

  private String latin1(long length) {
    return new String(bytes(length), StandardCharsets.ISO_8859_1);
  }

  /** A newline-terminated GLOBAL argument. */
  private String line() {
    StringBuilder line = new StringBuilder();
    while (true) {
      if (!in.hasRemaining()) {
        throw malformed("a GLOBAL name runs past the end");
      }
      char c = (char) (in.get() & 0xff);
      if (c == '\n') {
        return line.toString();
      }
      line.append(c);
    }
  }

  /** LONG1: a little-endian two's-complement integer of {@code length} bytes. */
  private Object long1(int length) {
    byte[] little = bytes(length);
    if (length == 0) {
      return 0L;
    }
    byte[] big = new byte[length];
    for (int i = 0; i < length; i++) {
      big[i] = little[length - 1 - i];
    }
    BigInteger value = new BigInteger(big);
    return value.bitLength() < 64 ? (Object) value.longValue() : value;
  }

  private void putAll(Map<Object, Object> dict, List<Object> keysAndValues) {
    if (keysAndValues.size() % 2 != 0) {
      throw malformed("SETITEMS has an odd number of keys and values");
    }
    for (int i = 0; i < keysAndValues.size(); i += 2) {
      dict.put(keysAndValues.get(i), keysAndValues.get(i + 1));
    }
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> dict(Object value) {
    if (!(value instanceof Map)) {
      throw malformed("SETITEM targets " + describe(value) + ", not a dict");
    }
    return (Map<Object, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object value) {
    if (!(value instanceof List) || value instanceof PickleTuple) {
      throw malformed("APPEND targets " + describe(value) + ", not a list");
    }
    return (List<Object>) value;
  }

  private PickleTuple tuple(Object value, String what) {
    if (!(value instanceof PickleTuple tuple)) {
      throw malformed(what + " is " + describe(value) + ", not a tuple");
    }
    return tuple;
  }

  private TorchTensor tensor(Object value, Global caller) {
    if (!(value instanceof TorchTensor tensor)) {
      throw malformed(caller.qualifiedName() + " gets " + describe(value) + " instead of a tensor");
    }
    return tensor;
  }

  private String string(Object value, String what) {
    if (!(value instanceof String text)) {
      throw malformed(what + " is " + describe(value) + ", not a string");
    }
    return text;
  }

  private long integer(Object value, String what) {
    if (!(value instanceof Long number)) {
      throw malformed(what + " is " + describe(value) + ", not an integer");
    }
    return number;
  }

  private long[] longs(Object value, String what) {
    List<Object> items = tuple(value, what).items();
    long[] result = new long[items.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = integer(items.get(i), what);
      if (result[i] < 0) {
        throw malformed(what + " has a negative entry " + result[i]);
      }
    }
    return result;
  }

  private void arity(Global global, List<Object> args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      throw malformed(global.qualifiedName() + " is called with " + args.size() + " arguments");
    }
  }

  private static String describe(Object value) {
    if (value == null) {
      return "None";
    }
    if (value instanceof Global global) {
      return global.qualifiedName();
    }
    if (value instanceof PickleTuple tuple) {
      return "a tuple of " + tuple.items().size();
    }
    return "a " + value.getClass().getSimpleName();
  }

  private static String printable(int opcode) {
    return opcode >= 0x21 && opcode < 0x7f ? " ('" + (char) opcode + "')" : "";
  }
}
