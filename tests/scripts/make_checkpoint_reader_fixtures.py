#!/usr/bin/python3
"""Creates the tiny checkpoint fixtures the Java checkpoint-reader tests read.

Run with the system python that has PyTorch (1.13 here), from the repository root:

    /usr/bin/python3 tests/scripts/make_checkpoint_reader_fixtures.py

Writes under udfs/src/test/resources/checkpoint/:
  torch/pytorch_model.bin          torch.save of an OrderedDict: float32, float16, bfloat16, float64, a
                                   transposed view and a slice sharing one storage (offset > 0), a scalar,
                                   an nn.Parameter and an int64 buffer (which the reader skips)
  torch/expected.json              every float tensor's shape and values (exact float32 values)
  torch-protocol4/pytorch_model.bin  the same state dict saved with pickle_protocol=4
  torch-sharded/                   the same kind of state dict in two .bin shards + pytorch_model.bin.index.json
  safetensors/model.safetensors    a safetensors file written here by hand (F32, F16, BF16, I64), same
                                   expected.json layout beside it
  legacy/pytorch_model.bin         the pre-1.6 (non-zip) format, which the reader refuses
  malicious-system/pytorch_model.bin  a torch-style zip whose data.pkl calls os.system("touch <marker>")
  malicious-eval/pytorch_model.bin    the same with builtins.eval, pickled with protocol 4 (STACK_GLOBAL)
CI has no Python, so the outputs are committed; rerun only to change them.
"""
import collections
import json
import os
import pickle
import struct
import zipfile

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "udfs", "src", "test",
                    "resources", "checkpoint")
MARKER = "/tmp/kluespark-malicious-pickle-marker"


def out(*parts):
    path = os.path.join(ROOT, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def expected(state):
    """Shape and exact values (float32 widened to double, so the JSON round-trips bit for bit)."""
    result = collections.OrderedDict()
    for name, tensor in state.items():
        if tensor.is_floating_point():
            values = tensor.detach().to(torch.float32).contiguous().reshape(-1).tolist()
            result[name] = {"shape": list(tensor.shape), "values": values}
    return result


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


def main_state():
    torch.manual_seed(7)
    base = torch.randn(3, 5)
    state = collections.OrderedDict()
    state["encoder.weight"] = base
    state["encoder.weight_t"] = base.t()             # non-contiguous: stride (1, 5)
    state["encoder.corner"] = base[1:, 2:]           # storage_offset 7, stride (5, 1)
    state["encoder.row"] = base[2]                   # contiguous, storage_offset 10
    state["half.weight"] = torch.randn(2, 3).half()
    state["half.weight_t"] = state["half.weight"].t()
    state["bf16.weight"] = torch.randn(4).bfloat16()
    state["double.bias"] = torch.randn(3, dtype=torch.float64)
    state["scalar"] = torch.tensor(3.25)
    state["param.weight"] = torch.nn.Parameter(torch.randn(2, 2))
    state["embeddings.position_ids"] = torch.arange(6).unsqueeze(0)   # int64 buffer, skipped
    state["special.values"] = torch.tensor([0.0, -0.0, float("inf"), float("-inf"), 1e-40, 65504.0])
    state._metadata = collections.OrderedDict([("", {"version": 1})])
    return state


def save_torch():
    state = main_state()
    torch.save(state, out("torch", "pytorch_model.bin"))
    write_json(out("torch", "expected.json"), expected(state))
    # The same state dict with pickle protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL).
    torch.save(main_state(), out("torch-protocol4", "pytorch_model.bin"), pickle_protocol=4)


def save_torch_sharded():
    torch.manual_seed(11)
    first = collections.OrderedDict()
    first["layer.0.weight"] = torch.randn(2, 3)
    first["layer.0.bias"] = torch.randn(2).half()
    second = collections.OrderedDict()
    second["layer.1.weight"] = torch.randn(3, 2).t()
    second["embeddings.position_ids"] = torch.arange(4).unsqueeze(0)
    shards = [("pytorch_model-00001-of-00002.bin", first), ("pytorch_model-00002-of-00002.bin", second)]
    weight_map = collections.OrderedDict()
    for file_name, state in shards:
        torch.save(state, out("torch-sharded", file_name))
        for name in state:
            weight_map[name] = file_name
    write_json(out("torch-sharded", "pytorch_model.bin.index.json"),
               {"metadata": {"total_size": 0}, "weight_map": weight_map})
    write_json(out("torch-sharded", "expected.json"), expected(collections.OrderedDict(
        list(first.items()) + list(second.items()))))


SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def tensor_bytes(tensor):
    """Little-endian raw bytes; bfloat16 via its int16 bit pattern since numpy has no bfloat16."""
    tensor = tensor.contiguous()
    if tensor.dtype in (torch.float16, torch.bfloat16):
        return tensor.view(torch.int16).numpy().astype("<i2").tobytes()
    if tensor.dtype == torch.float32:
        return tensor.numpy().astype("<f4").tobytes()
    return tensor.numpy().astype("<i8").tobytes()


def save_safetensors():
    """An independent writer of the format (header keys sorted, as the safetensors library does)."""
    torch.manual_seed(13)
    state = collections.OrderedDict()
    state["a.f32"] = torch.randn(2, 3)
    state["b.f16"] = torch.randn(3).half()
    state["c.bf16"] = torch.randn(2, 2).bfloat16()
    state["d.position_ids"] = torch.arange(3).unsqueeze(0)
    header = collections.OrderedDict([("__metadata__", {"format": "pt"})])
    data = b""
    for name in sorted(state):
        raw = tensor_bytes(state[name])
        header[name] = {"dtype": SAFETENSORS_DTYPES[state[name].dtype], "shape": list(state[name].shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(out("safetensors", "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        f.write(data)
    write_json(out("safetensors", "expected.json"), expected(state))


def save_legacy():
    torch.save(collections.OrderedDict([("w", torch.ones(2))]), out("legacy", "pytorch_model.bin"),
               _use_new_zipfile_serialization=False)


class CallsSystem:
    def __reduce__(self):
        return os.system, ("touch " + MARKER,)


class CallsEval:
    def __reduce__(self):
        return eval, ("__import__('os').system('touch " + MARKER + "')",)


def save_malicious(directory, payload, protocol):
    """A torch-style zip (archive/data.pkl, archive/version) whose pickle runs a command when unpickled."""
    pickled = pickle.dumps(collections.OrderedDict([("encoder.weight", payload)]), protocol=protocol)
    with zipfile.ZipFile(out(directory, "pytorch_model.bin"), "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", pickled)
        archive.writestr("archive/version", "3\n")


if __name__ == "__main__":
    save_torch()
    save_torch_sharded()
    save_safetensors()
    save_legacy()
    save_malicious("malicious-system", CallsSystem(), 2)
    # protocol 4 names builtins.eval with STACK_GLOBAL (protocol 2 would write __builtin__ eval)
    save_malicious("malicious-eval", CallsEval(), 4)
    for directory, _, files in sorted(os.walk(ROOT)):
        for name in sorted(files):
            path = os.path.join(directory, name)
            print(os.path.relpath(path, ROOT), os.path.getsize(path))
