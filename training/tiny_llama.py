"""mull's tiny character-level llama in PyTorch, matching llama.cpp's llama architecture exactly
(RMSNorm, RoPE on adjacent pairs, SwiGLU, no biases), plus batched sampling with a KV cache."""
import math

import torch
import torch.nn.functional as F
from torch import nn

from gguf_writer import BOS_ID, EOS_ID, VOCAB_SIZE, decode_id, encode, llama_tensor_names


def default_config(**overrides):
    config = dict(dim=256, n_layers=6, n_heads=8, n_kv_heads=8, ffn_dim=768, context_length=512, rope_base=10000.0, norm_eps=1e-5)
    config.update(overrides)
    return config


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).type_as(x) * self.weight


def rope(x, cos, sin):
    # x: (B, H, T, D); cos/sin: (B, 1, T, D/2). Adjacent pairs, as llama.cpp's llama architecture.
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        dim, self.heads = c["dim"], c["n_heads"]
        self.head_dim = dim // self.heads
        self.attn_norm = RMSNorm(dim, c["norm_eps"])
        self.attn_q = nn.Linear(dim, dim, bias=False)
        self.attn_k = nn.Linear(dim, dim, bias=False)
        self.attn_v = nn.Linear(dim, dim, bias=False)
        self.attn_output = nn.Linear(dim, dim, bias=False)
        self.ffn_norm = RMSNorm(dim, c["norm_eps"])
        self.ffn_gate = nn.Linear(dim, c["ffn_dim"], bias=False)
        self.ffn_up = nn.Linear(dim, c["ffn_dim"], bias=False)
        self.ffn_down = nn.Linear(c["ffn_dim"], dim, bias=False)

    def forward(self, x, cos, sin, mask, cache):
        B, T, _ = x.shape
        h = self.attn_norm(x)
        shape = (B, T, self.heads, self.head_dim)
        q = rope(self.attn_q(h).view(shape).transpose(1, 2), cos, sin)
        k = rope(self.attn_k(h).view(shape).transpose(1, 2), cos, sin)
        v = self.attn_v(h).view(shape).transpose(1, 2)
        if cache is not None:
            if cache.get("k") is not None:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        if mask is None:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.attn_output(out.transpose(1, 2).reshape(B, T, -1))
        h = self.ffn_norm(x)
        return x + self.ffn_down(F.silu(self.ffn_gate(h)) * self.ffn_up(h))


class TinyLlama(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        vocab = config.get("vocab_size", VOCAB_SIZE)
        self.token_embd = nn.Embedding(vocab, config["dim"])
        self.blocks = nn.ModuleList(Block(config) for _ in range(config["n_layers"]))
        self.output_norm = RMSNorm(config["dim"], config["norm_eps"])
        self.output = nn.Linear(config["dim"], vocab, bias=False)
        head_dim = config["dim"] // config["n_heads"]
        self.register_buffer("inv_freq", config["rope_base"] ** (-torch.arange(0, head_dim, 2).float() / head_dim), persistent=False)
        for name, parameter in self.named_parameters():
            if parameter.dim() == 2:
                std = 0.02 / math.sqrt(2 * config["n_layers"]) if name.endswith(("attn_output.weight", "ffn_down.weight")) else 0.02
                nn.init.normal_(parameter, std=std)

    def forward(self, ids, positions=None, mask=None, caches=None):
        B, T = ids.shape
        if positions is None:
            positions = torch.arange(T, device=ids.device).expand(B, T)
        angles = positions.float()[..., None] * self.inv_freq
        cos, sin = angles.cos()[:, None], angles.sin()[:, None]
        x = self.token_embd(ids)
        for index, block in enumerate(self.blocks):
            x = block(x, cos, sin, mask, None if caches is None else caches[index])
        return self.output(self.output_norm(x))

    def export_tensors(self):
        """numpy float32 tensors named as llama.cpp expects."""
        state = {}
        state["token_embd.weight"] = self.token_embd.weight
        for layer, block in enumerate(self.blocks):
            for part in ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"]:
                state[f"blk.{layer}.{part}.weight"] = getattr(block, part).weight
        state["output_norm.weight"] = self.output_norm.weight
        state["output.weight"] = self.output.weight
        return {name: state[name].detach().float().cpu().numpy() for name in llama_tensor_names(self.config["n_layers"])}


@torch.no_grad()
def generate(model, prompts, temperature, max_new_tokens=200, seed=0, batch_size=2048, encoder=encode, eos_id=EOS_ID):
    """Samples one completion per prompt (greedy when temperature == 0). Stops at EOS.
    Left-pads prompts and keeps a KV cache. Returns completions as strings (without EOS)."""
    device = next(model.parameters()).device
    generator = torch.Generator(device=device).manual_seed(seed)
    results = [None] * len(prompts)
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        encoded = [[BOS_ID] + encoder(prompts[i]) for i in chunk]
        width = max(len(e) for e in encoded)
        B = len(chunk)
        ids = torch.zeros((B, width), dtype=torch.long, device=device)
        key_mask = torch.zeros((B, width), dtype=torch.bool, device=device)
        for row, e in enumerate(encoded):
            ids[row, width - len(e):] = torch.tensor(e, device=device)
            key_mask[row, width - len(e):] = True
        positions = (key_mask.long().cumsum(-1) - 1).clamp(min=0)
        causal = torch.ones((width, width), dtype=torch.bool, device=device).tril()
        mask = (causal[None] & key_mask[:, None, :]) | torch.eye(width, dtype=torch.bool, device=device)[None]
        caches = [dict() for _ in model.blocks]
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(ids, positions, mask[:, None], caches)[:, -1].float()
        last_position = positions[:, -1]
        done = torch.zeros(B, dtype=torch.bool, device=device)
        out = torch.zeros((B, max_new_tokens), dtype=torch.long, device=device)
        for step in range(max_new_tokens):
            if temperature == 0:
                token = logits.argmax(-1)
            else:
                token = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=generator)[:, 0]
            token = torch.where(done, torch.full_like(token, eos_id), token)
            out[:, step] = token
            done |= token == eos_id
            if bool(done.all()):
                break
            key_mask = torch.cat([key_mask, torch.ones((B, 1), dtype=torch.bool, device=device)], 1)
            last_position = last_position + 1
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = model(token[:, None], last_position[:, None], key_mask[:, None, None, :], caches)[:, -1].float()
        out = out.cpu().tolist()
        for row, index in enumerate(chunk):
            text = []
            for token_id in out[row]:
                if token_id == eos_id:
                    break
                text.append(decode_id(token_id))
            results[index] = "".join(text)
    return results


@torch.no_grad()
def next_token_probabilities(model, text, encoder=encode):
    """float32 next-token distribution after BOS + text, with weights rounded to F16 as in the GGUF."""
    device = next(model.parameters()).device
    ids = torch.tensor([[BOS_ID] + encoder(text)], device=device)
    logits = model(ids)[0, -1].float()
    return torch.softmax(logits, -1).cpu()
