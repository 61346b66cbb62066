"""Writes a llama-architecture, character-level GGUF file that llama.cpp (node-llama-cpp) loads.

Facts this relies on are in the project's gguf notes: GGUF v3, alignment 32, SentencePiece-style
vocabulary (3 specials, 256 byte tokens, then printable ASCII with the space as U+2581), tensor dims
written reversed (numpy (out, in) -> ne = [in, out]), llama.cpp's rope rotating adjacent pairs.
"""
import struct

import numpy as np

ALIGNMENT = 32
SPECIALS = ["<unk>", "<s>", "</s>"]
BYTE_OFFSET = 3
PRINTABLE_OFFSET = 3 + 256
VOCAB_SIZE = PRINTABLE_OFFSET + 95  # 354
BOS_ID, EOS_ID, UNK_ID = 1, 2, 0
# The chat model's vocabulary adds ChatML's two control tokens (src/tasks/chat-format.ts); <|im_end|> ends a turn.
CHAT_TOKENS = ["<|im_start|>", "<|im_end|>"]
IM_START_ID, IM_END_ID = VOCAB_SIZE, VOCAB_SIZE + 1
CHAT_VOCAB_SIZE = VOCAB_SIZE + len(CHAT_TOKENS)

GGUF_TYPE = {"u8": 0, "i8": 1, "u16": 2, "i16": 3, "u32": 4, "i32": 5, "f32": 6, "bool": 7, "str": 8, "arr": 9, "u64": 10, "i64": 11, "f64": 12}
TENSOR_F32, TENSOR_F16, TENSOR_Q8_0 = 0, 1, 8
Q8_0_BLOCK = 32


def quantize_q8_0(array):
    """ggml's Q8_0: each run of 32 values along a row is an f16 scale (max |x| / 127) and 32 int8s."""
    blocks = array.astype(np.float32).reshape(-1, Q8_0_BLOCK)
    scale = np.abs(blocks).max(axis=1, keepdims=True) / 127
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale > 0)
    quants = np.round(blocks * inverse).astype(np.int8)
    record = np.zeros(len(blocks), dtype=[("d", "<f2"), ("qs", "i1", Q8_0_BLOCK)])
    record["d"], record["qs"] = scale[:, 0], quants
    return record.tobytes()


def dequantize_q8_0(data, count):
    record = np.frombuffer(data, dtype=[("d", "<f2"), ("qs", "i1", Q8_0_BLOCK)], count=count // Q8_0_BLOCK)
    return (record["d"].astype(np.float32)[:, None] * record["qs"].astype(np.float32)).reshape(-1)


def vocabulary(chat=False):
    tokens, types = [], []
    for index, text in enumerate(SPECIALS):
        tokens.append(text)
        types.append(2 if index == 0 else 3)
    for byte in range(256):
        tokens.append("<0x%02X>" % byte)
        types.append(6)
    for code in range(32, 127):
        tokens.append("\u2581" if code == 32 else chr(code))
        types.append(1)
    if chat:
        tokens += CHAT_TOKENS
        types += [3] * len(CHAT_TOKENS)
    return tokens, types


def encode(text):
    """Token ids llama.cpp produces for `text` (without BOS): one per character."""
    ids = []
    for char in text:
        code = ord(char)
        if 32 <= code < 127:
            ids.append(PRINTABLE_OFFSET + code - 32)
        else:
            for byte in char.encode("utf-8"):
                ids.append(BYTE_OFFSET + byte)
    return ids


_ASCII = np.array([PRINTABLE_OFFSET + code - 32 if 32 <= code < 127 else BYTE_OFFSET + code for code in range(128)], dtype=np.int64)


def _encode_fast(text):
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        return encode(text)
    return _ASCII[np.frombuffer(data, dtype=np.uint8)].tolist()


def encode_chat(text):
    """Token ids of chat text: the control tokens as one id each, the rest one per character."""
    ids = []
    for index, part in enumerate(text.split("<|im_start|>")):
        if index > 0:
            ids.append(IM_START_ID)
        for inner, piece in enumerate(part.split("<|im_end|>")):
            if inner > 0:
                ids.append(IM_END_ID)
            ids.extend(_encode_fast(piece))
    return ids


def decode_id(token_id):
    if token_id >= VOCAB_SIZE:
        return CHAT_TOKENS[token_id - VOCAB_SIZE]
    if token_id >= PRINTABLE_OFFSET:
        return chr(token_id - PRINTABLE_OFFSET + 32)
    if token_id >= BYTE_OFFSET:
        return chr(token_id - BYTE_OFFSET)
    return ""


def _string(value):
    data = value.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def _kv(key, kind, value):
    out = _string(key) + struct.pack("<I", GGUF_TYPE[kind])
    if kind == "str":
        return out + _string(value)
    if kind == "bool":
        return out + struct.pack("<?", value)
    if kind == "arr":
        item_kind, items = value
        out += struct.pack("<IQ", GGUF_TYPE[item_kind], len(items))
        if item_kind == "str":
            return out + b"".join(_string(item) for item in items)
        fmt = {"f32": "<f", "i32": "<i", "u32": "<I"}[item_kind]
        return out + b"".join(struct.pack(fmt, item) for item in items)
    fmt = {"u32": "<I", "i32": "<i", "f32": "<f", "u64": "<Q"}[kind]
    return out + struct.pack(fmt, value)


def write_gguf(path, config, tensors, name, matrices="f16", chat_template=None):
    """config: dict with dim, n_layers, n_heads, n_kv_heads, ffn_dim, context_length, rope_base, norm_eps.
    tensors: dict name -> numpy float32 array, named as llama.cpp expects (token_embd.weight, blk.N...).
    matrices: "f16", or "q8_0" (half the size; every matrix row is a multiple of 32 here).
    chat_template: a Jinja chat template; with it the vocabulary gains the chat control tokens and <|im_end|> is EOS."""
    chat = chat_template is not None
    tokens, types = vocabulary(chat)
    head_dim = config["dim"] // config["n_heads"]
    kvs = [
        ("general.architecture", "str", "llama"),
        ("general.name", "str", name),
        ("general.alignment", "u32", ALIGNMENT),
        ("general.file_type", "u32", 7 if matrices == "q8_0" else 1),
        ("llama.context_length", "u32", config["context_length"]),
        ("llama.embedding_length", "u32", config["dim"]),
        ("llama.block_count", "u32", config["n_layers"]),
        ("llama.feed_forward_length", "u32", config["ffn_dim"]),
        ("llama.attention.head_count", "u32", config["n_heads"]),
        ("llama.attention.head_count_kv", "u32", config["n_kv_heads"]),
        ("llama.rope.dimension_count", "u32", head_dim),
        ("llama.attention.layer_norm_rms_epsilon", "f32", config["norm_eps"]),
        ("llama.rope.freq_base", "f32", config["rope_base"]),
        ("llama.vocab_size", "u32", len(tokens)),
        ("tokenizer.ggml.model", "str", "llama"),
        ("tokenizer.ggml.tokens", "arr", ("str", tokens)),
        ("tokenizer.ggml.scores", "arr", ("f32", [0.0] * len(tokens))),
        ("tokenizer.ggml.token_type", "arr", ("i32", types)),
        ("tokenizer.ggml.bos_token_id", "u32", BOS_ID),
        ("tokenizer.ggml.eos_token_id", "u32", IM_END_ID if chat else EOS_ID),
        ("tokenizer.ggml.unknown_token_id", "u32", UNK_ID),
        ("tokenizer.ggml.add_bos_token", "bool", True),
        ("tokenizer.ggml.add_eos_token", "bool", False),
        ("tokenizer.ggml.add_space_prefix", "bool", False),
    ]
    if chat:
        kvs += [("tokenizer.ggml.eot_token_id", "u32", IM_END_ID), ("tokenizer.chat_template", "str", chat_template)]
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    header += b"".join(_kv(*kv) for kv in kvs)
    infos, blobs, offset = b"", [], 0
    for tensor_name, array in tensors.items():
        array = np.ascontiguousarray(array)
        # Norm vectors stay F32 (tiny); matrices are F16 (or Q8_0) to keep files small.
        if array.ndim == 1:
            data, kind = array.astype("<f4").tobytes(), TENSOR_F32
        elif matrices == "q8_0":
            data, kind = quantize_q8_0(array), TENSOR_Q8_0
        else:
            data, kind = array.astype("<f2").tobytes(), TENSOR_F16
        dims = list(reversed(array.shape))
        infos += _string(tensor_name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        infos += struct.pack("<IQ", kind, offset)
        padding = (-len(data)) % ALIGNMENT
        blobs.append(data + b"\0" * padding)
        offset += len(data) + padding
    head = header + infos
    head += b"\0" * ((-len(head)) % ALIGNMENT)
    with open(path, "wb") as handle:
        handle.write(head)
        for blob in blobs:
            handle.write(blob)


def llama_tensor_names(n_layers):
    names = ["token_embd.weight"]
    for layer in range(n_layers):
        for part in ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"]:
            names.append(f"blk.{layer}.{part}.weight")
    return names + ["output_norm.weight", "output.weight"]
