"""Reads back what gguf_writer.py writes: the model config and its tensors as float32 numpy arrays.

So that a shipped model can be trained further without the PyTorch checkpoint it came from (`policy.pt` is not
kept in the repository): `python3 training/check_gguf_reader.py` checks the round trip against the models'
parity files with the numpy forward pass. Only what the writer emits is supported (GGUF v3, F32, F16, Q8_0).
"""
import struct

import numpy as np

from gguf_writer import TENSOR_Q8_0, dequantize_q8_0

TENSOR_F32, TENSOR_F16 = 0, 1
# GGUF value types: sizes of the fixed-width ones (8 is a string, 9 an array).
FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
UNPACK = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


class _Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, fmt):
        value = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return value[0] if len(value) == 1 else value

    def string(self):
        length = self.take("<Q")
        text = self.data[self.at:self.at + length].decode("utf-8")
        self.at += length
        return text

    def value(self, kind):
        if kind == 8:
            return self.string()
        if kind == 9:
            item_kind, count = self.take("<I"), self.take("<Q")
            return [self.value(item_kind) for _ in range(count)]
        if kind not in FIXED:
            raise ValueError(f"GGUF value type {kind} is not one gguf_writer.py writes")
        return self.take(UNPACK[kind])


def read_gguf(path):
    """(config, tensors): config as gguf_writer.write_gguf takes it; tensors by llama.cpp name, numpy (out, in)."""
    with open(path, "rb") as handle:
        data = handle.read()
    reader = _Reader(data)
    if data[:4] != b"GGUF":
        raise ValueError(f"{path}: not a GGUF file")
    reader.at = 4
    version, tensor_count, kv_count = reader.take("<I"), reader.take("<Q"), reader.take("<Q")
    if version != 3:
        raise ValueError(f"{path}: GGUF version {version}, expected 3")
    meta = {}
    for _ in range(kv_count):
        key = reader.string()
        meta[key] = reader.value(reader.take("<I"))
    infos = []
    for _ in range(tensor_count):
        name = reader.string()
        dims = [reader.take("<Q") for _ in range(reader.take("<I"))]
        kind, offset = reader.take("<I"), reader.take("<Q")
        infos.append((name, dims, kind, offset))
    alignment = meta.get("general.alignment", 32)
    base = reader.at + (-reader.at) % alignment
    tensors = {}
    for name, dims, kind, offset in infos:
        shape = list(reversed(dims))
        count = int(np.prod(shape))
        if kind == TENSOR_F32:
            array = np.frombuffer(data, dtype="<f4", count=count, offset=base + offset)
        elif kind == TENSOR_F16:
            array = np.frombuffer(data, dtype="<f2", count=count, offset=base + offset)
        elif kind == TENSOR_Q8_0:
            array = dequantize_q8_0(data[base + offset :], count)
        else:
            raise ValueError(f"{path}: tensor {name} has type {kind}, not F32, F16 or Q8_0")
        tensors[name] = array.astype(np.float32).reshape(shape)
    config = {
        "dim": meta["llama.embedding_length"],
        "n_layers": meta["llama.block_count"],
        "n_heads": meta["llama.attention.head_count"],
        "n_kv_heads": meta["llama.attention.head_count_kv"],
        "ffn_dim": meta["llama.feed_forward_length"],
        "context_length": meta["llama.context_length"],
        "rope_base": meta["llama.rope.freq_base"],
        "norm_eps": meta["llama.attention.layer_norm_rms_epsilon"],
    }
    return config, tensors


def load_into(model, tensors):
    """Copies tensors read by read_gguf into a TinyLlama (the inverse of its export_tensors)."""
    import torch

    with torch.no_grad():
        model.token_embd.weight.copy_(torch.from_numpy(tensors["token_embd.weight"]))
        for layer, block in enumerate(model.blocks):
            for part in ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"]:
                getattr(block, part).weight.copy_(torch.from_numpy(tensors[f"blk.{layer}.{part}.weight"]))
        model.output_norm.weight.copy_(torch.from_numpy(tensors["output_norm.weight"]))
        model.output.weight.copy_(torch.from_numpy(tensors["output.weight"]))
    return model
