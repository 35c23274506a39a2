package org.kluespark.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.kluespark.checkpoint.RestrictedUnpickler.TorchStorage;
import org.kluespark.checkpoint.RestrictedUnpickler.TorchTensor;

/**
 * Reads {@code pytorch_model.bin} as written by {@code torch.save(state_dict)} in PyTorch ≥ 1.6: a zip
 * with {@code <prefix>/data.pkl} (the pickled dict, read by {@link RestrictedUnpickler}, so no code in
 * the file ever runs), {@code <prefix>/data/<key>} per storage and optionally {@code <prefix>/byteorder}.
 *
 * <p>Float, half, bfloat16 and double tensors become float32 weights in the dict's order, with storage
 * offsets and strides honoured (views are gathered row-major). Integer and boolean tensors (buffers such
 * as {@code position_ids}) and non-tensor entries are left out. The legacy pre-1.6 format is refused.
 */
public final class TorchCheckpointReader {
  public static final String FILE_NAME = "pytorch_model.bin";
  public static final String INDEX_FILE_NAME = "pytorch_model.bin.index.json";
  /** A state dict's pickle is kilobytes; refuse to allocate for anything absurd. */
  private static final long MAX_PICKLE_BYTES = 256L << 20;

  private TorchCheckpointReader() {}

  public static Map<String, WeightTensor> read(Path file) {
    return readShard(file).weights();
  }

  /** All shards named by {@code indexFile} ({@code pytorch_model.bin.index.json}). */
  public static Map<String, WeightTensor> readSharded(Path indexFile) {
    return ShardIndex.read(indexFile).readAll(TorchCheckpointReader::readShard);
  }

  static ShardIndex.ShardContents readShard(Path file) {
    checkZip(file);
    try (ZipFile zip = new ZipFile(file.toFile())) {
      String prefix = archivePrefix(file, zip);
      ByteOrder order = byteOrder(file, zip, prefix);
      Object root = RestrictedUnpickler.load(pickle(file, zip, prefix), file.toString(),
          file.getFileName().toString());
      if (!(root instanceof Map<?, ?> dict)) {
        throw new CheckpointException(file + " holds a pickled " + (root == null ? "None" : root.getClass().getSimpleName())
            + ", not a state dict; save model.state_dict() or provide model.safetensors.");
      }
      Map<String, TorchTensor> tensors = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : dict.entrySet()) {
        if (entry.getKey() instanceof String name && entry.getValue() instanceof TorchTensor tensor) {
          tensors.put(name, tensor);
        }
      }
      return new ShardIndex.ShardContents(materialise(file, zip, prefix, order, tensors), tensors.keySet());
    } catch (ZipException e) {
      throw new CheckpointException(file + " is not a readable zip archive (" + e.getMessage()
          + "); the file is truncated or corrupt — download it again.", e);
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read the checkpoint: " + e, e);
    }
  }

  /** Reads each needed storage once, keeping it only while later tensors still view it. */
  private static Map<String, WeightTensor> materialise(Path file, ZipFile zip, String prefix, ByteOrder order,
      Map<String, TorchTensor> tensors) throws IOException {
    Map<String, Integer> pendingViews = new HashMap<>();
    for (Map.Entry<String, TorchTensor> entry : tensors.entrySet()) {
      TensorDtype dtype = entry.getValue().storage().dtype();
      if (!dtype.isSkipped() && !dtype.isFloatingPoint()) {
        throw new CheckpointException(file + ": tensor \"" + entry.getKey() + "\" is stored as "
            + entry.getValue().storage().typeName() + ", which kluespark cannot read; save the checkpoint with"
            + " float32, float16 or bfloat16 weights.");
      }
      if (dtype.isFloatingPoint()) {
        pendingViews.merge(entry.getValue().storage().key(), 1, Integer::sum);
      }
    }
    Map<String, float[]> storages = new HashMap<>();
    Map<String, WeightTensor> weights = new LinkedHashMap<>();
    for (Map.Entry<String, TorchTensor> entry : tensors.entrySet()) {
      TorchTensor tensor = entry.getValue();
      TorchStorage storage = tensor.storage();
      if (storage.dtype().isSkipped()) {
        continue;
      }
      float[] data = storages.get(storage.key());
      if (data == null) {
        data = readStorage(file, zip, prefix, order, storage, entry.getKey());
        storages.put(storage.key(), data);
      }
      int remaining = pendingViews.merge(storage.key(), -1, Integer::sum);
      if (remaining == 0) {
        storages.remove(storage.key());
      }
      float[] values = remaining == 0 && tensor.offset() == 0 && data.length == WeightTensor.elementCount(tensor.size())
          && StridedView.isContiguous(tensor.size(), tensor.stride())
          ? data // the last view covers the whole storage: no copy
          : StridedView.gather(data, tensor.offset(), tensor.size(), tensor.stride(), file.toString(), entry.getKey());
      weights.put(entry.getKey(), new WeightTensor(entry.getKey(), tensor.size(), values));
    }
    return weights;
  }

  private static float[] readStorage(Path file, ZipFile zip, String prefix, ByteOrder order, TorchStorage storage,
      String tensor) throws IOException {
    String name = prefix + "/data/" + storage.key();
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new CheckpointException(file + ": tensor \"" + tensor + "\" uses storage " + storage.key()
          + ", but the archive has no " + name + "; the file is truncated or corrupt — download it again.");
    }
    float[] values = new float[TensorData.arrayLength(storage.numel(), file.toString(), tensor)];
    long needed = storage.numel() * storage.dtype().byteSize();
    if (entry.getSize() >= 0 && entry.getSize() < needed) {
      throw new CheckpointException(file + ": " + name + " holds " + entry.getSize() + " bytes but storage "
          + storage.key() + " of tensor \"" + tensor + "\" needs " + storage.numel() + " x "
          + storage.dtype().byteSize() + " = " + needed + " bytes; the file is corrupt — download it again.");
    }
    try (InputStream in = zip.getInputStream(entry); ReadableByteChannel channel = Channels.newChannel(in)) {
      TensorData.read(channel, storage.dtype(), order, values, file + ": " + name);
    }
    return values;
  }

  /** Tells the legacy and TorchScript formats apart from a torch.save zip, with advice for each. */
  private static void checkZip(Path file) {
    byte[] head = new byte[4];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(head, 0, 4);
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot open the checkpoint: " + e, e);
    }
    if (read == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      return;
    }
    if (read >= 1 && (head[0] & 0xff) == 0x80) {
      throw new CheckpointException(file + " is in the legacy PyTorch format (saved before torch 1.6 or with"
          + " _use_new_zipfile_serialization=False), which kluespark does not read; re-save it with torch >= 1.6"
          + " or provide model.safetensors.");
    }
    throw new CheckpointException(file + " is not a PyTorch checkpoint (not a zip archive written by"
        + " torch.save); provide model.safetensors or a pytorch_model.bin saved with torch >= 1.6.");
  }

  /** The single top-level folder holding {@code data.pkl} (torch names it after the file; any string). */
  private static String archivePrefix(Path file, ZipFile zip) {
    List<String> prefixes = new ArrayList<>();
    Set<String> topLevel = new LinkedHashSet<>();
    for (ZipEntry entry : Collections.list(zip.entries())) {
      String name = entry.getName();
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
        prefixes.add(name.substring(0, slash));
      }
      topLevel.add(slash > 0 ? name.substring(slash + 1).split("/")[0] : name);
    }
    if (prefixes.size() == 1) {
      return prefixes.get(0);
    }
    if (prefixes.isEmpty()) {
      String kind = topLevel.contains("constants.pkl") || topLevel.contains("code")
          ? "a TorchScript archive (torch.jit.save), not a torch.save of a state dict"
          : "a zip without <prefix>/data.pkl, not a torch.save checkpoint";
      throw new CheckpointException(file + " is " + kind + "; provide model.safetensors or the model's"
          + " pytorch_model.bin state dict.");
    }
    throw new CheckpointException(file + " holds " + prefixes.size() + " data.pkl files (" + prefixes
        + "); a torch.save checkpoint has one — provide model.safetensors instead.");
  }

  private static ByteOrder byteOrder(Path file, ZipFile zip, String prefix) throws IOException {
    ZipEntry entry = zip.getEntry(prefix + "/byteorder");
    if (entry == null) {
      return ByteOrder.LITTLE_ENDIAN; // written only by torch >= 2.1; older files are little-endian
    }
    String order;
    try (InputStream in = zip.getInputStream(entry)) {
      order = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
    }
    return switch (order) {
      case "little" -> ByteOrder.LITTLE_ENDIAN;
      case "big" -> ByteOrder.BIG_ENDIAN;
      default -> throw new CheckpointException(file + ": " + prefix + "/byteorder says \"" + order
          + "\", not little or big; the file is corrupt.");
    };
  }

  private static byte[] pickle(Path file, ZipFile zip, String prefix) throws IOException {
    ZipEntry entry = zip.getEntry(prefix + "/data.pkl");
    if (entry.getSize() > MAX_PICKLE_BYTES) {
      throw new CheckpointException(file + ": " + entry.getName() + " is " + entry.getSize()
          + " bytes, far more than a state dict's pickle; provide model.safetensors instead.");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      return in.readNBytes((int) MAX_PICKLE_BYTES + 1);
    }
  }
}
