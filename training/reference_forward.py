"""A numpy forward pass of mull's tiny llama, used to check the GGUF export without a GPU."""
import numpy as np


def rms_norm(x, weight, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * weight


def rope(x, base):
    # x: (T, heads, head_dim); llama.cpp's llama arch rotates adjacent pairs (x[2i], x[2i+1]).
    T, _, head_dim = x.shape
    freqs = base ** (-np.arange(0, head_dim, 2) / head_dim)
    angles = np.arange(T)[:, None] * freqs[None, :]
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def forward(tensors, config, ids):
    """Next-token probabilities after the last id of `ids` (which include BOS)."""
    f16 = lambda a: a.astype(np.float16).astype(np.float32) if a.ndim == 2 else a
    t = {k: f16(v) for k, v in tensors.items()}
    dim, heads, eps = config["dim"], config["n_heads"], config["norm_eps"]
    head_dim = dim // heads
    x = t["token_embd.weight"][ids]
    T = len(ids)
    mask = np.triu(np.full((T, T), -np.inf), 1)
    for layer in range(config["n_layers"]):
        p = lambda name: t[f"blk.{layer}.{name}.weight"]
        h = rms_norm(x, p("attn_norm"), eps)
        q = rope((h @ p("attn_q").T).reshape(T, heads, head_dim), config["rope_base"])
        k = rope((h @ p("attn_k").T).reshape(T, heads, head_dim), config["rope_base"])
        v = (h @ p("attn_v").T).reshape(T, heads, head_dim)
        scores = np.einsum("thd,shd->hts", q, k) / np.sqrt(head_dim) + mask
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        attention = np.einsum("hts,shd->thd", scores, v).reshape(T, dim)
        x = x + attention @ p("attn_output").T
        h = rms_norm(x, p("ffn_norm"), eps)
        gate = h @ p("ffn_gate").T
        x = x + ((gate / (1 + np.exp(-gate))) * (h @ p("ffn_up").T)) @ p("ffn_down").T
    logits = rms_norm(x[-1], t["output_norm.weight"], eps) @ t["output.weight"].T
    logits = logits - logits.max()
    probabilities = np.exp(logits)
    return probabilities / probabilities.sum()
