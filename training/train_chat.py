"""Trains mull-tiny-chat on the conversations `make-chat-data.ts` writes: next-token loss on the assistant's
words only, conversations packed into rows with attention kept inside each one (positions restart at 0, as when
llama.cpp serves one). Evaluates on held-out word problems and tool prompts as it goes, writing the latest
checkpoint's GGUF and a log to --out after every evaluation, so a run cut short still leaves its work.

python3 training/train_chat.py --data training/data-chat --out $OUT --minutes 8
"""
import argparse
import copy
import gzip
import json
import lzma
import os
import re
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from run_log import run_log  # noqa: E402
from gguf_writer import BOS_ID, CHAT_VOCAB_SIZE, IM_END_ID, dequantize_q8_0, encode_chat, quantize_q8_0, write_gguf  # noqa: E402
from tiny_llama import TinyLlama, default_config, generate, next_token_probabilities  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--data", default="training/data-chat")
parser.add_argument("--out", default="out")
parser.add_argument("--minutes", type=float, default=8.0)
parser.add_argument("--evals", type=int, default=4)
parser.add_argument("--rows", type=int, default=24, help="packed rows of --length tokens per step")
parser.add_argument("--length", type=int, default=2048)
parser.add_argument("--lr", type=float, default=1.5e-3)
parser.add_argument("--min-lr", type=float, default=0.1, help="the cosine's floor, as a share of --lr")
parser.add_argument("--warmup", type=int, default=300)
parser.add_argument("--dim", type=int, default=384)
parser.add_argument("--layers", type=int, default=8)
parser.add_argument("--heads", type=int, default=8)
parser.add_argument("--ffn", type=int, default=1152)
parser.add_argument("--init", default=None, help="a chat.pt to go on training from")
parser.add_argument("--template", default=None, help="the chat template file (default: <data>/chat-template.jinja)")
parser.add_argument("--name", default="mull-tiny-chat")
parser.add_argument("--total-steps", type=int, default=0, help="the cosine's length in steps (default: estimated from --minutes)")
parser.add_argument("--stop-step", type=int, default=0, help="evaluate, export and stop at this step (default: by --minutes and --evals)")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
log = run_log(args.out, "chat-train.log", "a")


torch.manual_seed(0)
device = "cuda"
started = time.time()
template = open(args.template or os.path.join(args.data, "chat-template.jinja")).read()

# Encode and pack: each conversation is BOS + its segments; loss only where a segment is the assistant's.
tokens, targets_mask, doc_starts = [], [], []
kinds = {}
xz_path = os.path.join(args.data, "train.jsonl.xz")
# xz is accepted beside gzip: it is half the size, which matters where data travels to the GPU machine.
with (lzma.open(xz_path, "rt") if os.path.exists(xz_path) else gzip.open(os.path.join(args.data, "train.jsonl.gz"), "rt")) as handle:
    for line in handle:
        if not line.strip():
            continue
        item = json.loads(line)
        ids, mask = [BOS_ID], [0]
        for text, train in item["s"]:
            encoded = encode_chat(text)
            ids += encoded
            mask += [train] * len(encoded)
        if len(ids) > args.length:
            continue
        kinds[item["k"]] = kinds.get(item["k"], 0) + 1
        tokens.append(np.array(ids, dtype=np.int16))
        targets_mask.append(np.array(mask, dtype=np.int8))
log(f"conversations {len(tokens)} by kind {json.dumps(kinds)}; load {time.time() - started:.0f}s")

rows, masks, positions = [], [], []
row_ids, row_mask, row_pos, filled = [], [], [], 0
order = np.random.default_rng(0).permutation(len(tokens))
for index in order:
    ids, mask = tokens[index], targets_mask[index]
    if filled + len(ids) > args.length + 1:
        pad = args.length + 1 - filled
        rows.append(np.concatenate(row_ids + [np.zeros(pad, np.int16)]))
        masks.append(np.concatenate(row_mask + [np.zeros(pad, np.int8)]))
        positions.append(np.concatenate(row_pos + [np.full(pad, -1, np.int16)]))
        row_ids, row_mask, row_pos, filled = [], [], [], 0
    filled += len(ids)
    row_ids.append(ids)
    row_mask.append(mask)
    row_pos.append(np.arange(len(ids), dtype=np.int16))
data = torch.from_numpy(np.stack(rows)).to(device)
loss_mask = torch.from_numpy(np.stack(masks)).to(device)
position_data = torch.from_numpy(np.stack(positions)).to(device)
trained_tokens = int(loss_mask.sum())
log(f"packed rows {len(rows)} of {args.length + 1}; tokens {data.numel()}, trained {trained_tokens}; {time.time() - started:.0f}s")

evaluation = [json.loads(line) for line in open(os.path.join(args.data, "eval.jsonl")) if line.strip()]
word = {level: [e for e in evaluation if e["t"] == "word" and e["d"] == level][:100] for level in ["easy", "medium", "hard"]}
tool_items = [e for e in evaluation if e["t"] == "tool"][:100]


def final_number(text):
    after = text.split("</think>")[-1]
    match = re.findall(r"####\s*(-?\d+)", after) or re.findall(r"(-?\d+)", after)
    return match[-1] if match else None


def tool_call_valid(text):
    match = re.search(r"<tool_call>\s*(\{.*\})\s*</tool_call>", text, re.S)
    if not match:
        return False
    try:
        call = json.loads(match.group(1))
    except ValueError:
        return False
    return isinstance(call, dict) and call.get("name") in ("calculator", "python") and isinstance(call.get("arguments"), dict)


def sample(model, prompts, temperature, seed=0, max_new=320):
    return generate(model, prompts, temperature, max_new_tokens=max_new, seed=seed, encoder=encode_chat, eos_id=IM_END_ID, batch_size=1024)


def evaluate(model):
    model.eval()
    metrics = {}
    for level, items in word.items():
        greedy = sample(model, [i["p"] for i in items], 0)
        metrics[f"{level}_greedy"] = sum(final_number(g) == i["a"] for g, i in zip(greedy, items)) / len(items)
    k = 16
    items = word["hard"]
    samples = sample(model, [i["p"] for i in items for _ in range(k)], 0.8, seed=1)
    passed, voted = 0, 0
    for index, item in enumerate(items):
        answers = [final_number(s) for s in samples[index * k:(index + 1) * k]]
        passed += item["a"] in answers
        counts = {}
        for a in answers:
            if a is not None:
                counts[a] = counts.get(a, 0) + 1
        voted += bool(counts) and max(counts, key=counts.get) == item["a"]
    metrics["hard_pass16"] = passed / len(items)
    metrics["hard_maj16"] = voted / len(items)
    calls = sample(model, [i["p"] for i in tool_items for _ in range(4)], 0.8, seed=2, max_new=400)
    metrics["tool_json_valid_t0.8"] = sum(tool_call_valid(c) for c in calls) / len(calls)
    log("example:", json.dumps(greedy_example(model)))
    model.train()
    return metrics


def greedy_example(model):
    return sample(model, [word["hard"][0]["p"], tool_items[0]["p"]], 0)


config = default_config(dim=args.dim, n_layers=args.layers, n_heads=args.heads, n_kv_heads=args.heads, ffn_dim=args.ffn, context_length=args.length)
config["vocab_size"] = CHAT_VOCAB_SIZE
model = TinyLlama(config).to(device)
if args.init:
    state = torch.load(args.init, map_location=device)
    model.load_state_dict({k: v.float() for k, v in state["state"].items()})
    log(f"initialised from {args.init} (step {state.get('step')})")
parameters = sum(p.numel() for p in model.parameters())
log(f"config {json.dumps(config)} parameters {parameters}")
decay = [p for p in model.parameters() if p.dim() == 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95), fused=True)


def export(model, step, metrics):
    """The GGUF (Q8_0, as shipped, and F16), the parity file from the Q8_0 weights, and the weights."""
    tensors = model.export_tensors()
    write_gguf(os.path.join(args.out, f"{args.name}.gguf"), config, tensors, args.name, matrices="q8_0", chat_template=template)
    write_gguf(os.path.join(args.out, f"{args.name}.f16.gguf"), config, tensors, args.name, matrices="f16", chat_template=template)
    rounded = copy.deepcopy(model).float()
    with torch.no_grad():
        for p in rounded.parameters():
            if p.dim() == 2:
                values = p.detach().cpu().numpy()
                p.copy_(torch.from_numpy(dequantize_q8_0(quantize_q8_0(values), values.size).reshape(values.shape)).to(p.device))
    parity = []
    for text in [
        "<|im_start|>user\nTom has 5 apples. He buys 3 more apples. How many apples does Tom have now?<|im_end|>\n<|im_start|>assistant\n",
        "<|im_start|>user\nTom has 5 apples. He buys 3 more apples. How many apples does Tom have now?<|im_end|>\n<|im_start|>assistant\n<think>\n5+3=",
        "<|im_start|>user\nWhat is 12*4?<|im_end|>\n<|im_start|>assistant\n<think>\n12*4=48\n</think>\n\nThe answer is 48.",
    ]:
        probabilities = next_token_probabilities(rounded, text, encoder=encode_chat)
        top = torch.topk(probabilities, 8)
        parity.append({"text": text, "top": [[int(i), float(p)] for p, i in zip(top.values, top.indices)]})
    json.dump({"model": f"{args.name}.gguf", "tolerance": 0.03, "cases": parity}, open(os.path.join(args.out, f"{args.name}.parity.json"), "w"), indent=1)
    torch.save({"config": config, "state": {k: v.half() for k, v in model.state_dict().items()}, "step": step, "metrics": metrics}, os.path.join(args.out, "chat.pt"))


budget = args.minutes * 60
eval_points = [budget * (i + 1) / args.evals for i in range(args.evals)]
step, total_steps = 0, None
train_started = time.time()
eval_time = 0.0
length = args.length
causal = torch.ones((length, length), dtype=torch.bool, device=device).tril()
while True:
    elapsed = time.time() - train_started - eval_time
    if step == 50 and args.total_steps:
        total_steps = args.total_steps
    elif step == 50:
        total_steps = int(50 * budget / elapsed)
        log(f"estimated total steps {total_steps}")
    warm = min(1.0, step / args.warmup) if not args.init else min(1.0, step / 50)
    if total_steps:
        progress = min(1.0, step / total_steps)
        lr = args.lr * min(warm, args.min_lr + (1 - args.min_lr) * 0.5 * (1 + np.cos(progress * np.pi)))
    else:
        lr = args.lr * warm
    for group in optimizer.param_groups:
        group["lr"] = lr
    index = torch.randint(0, data.shape[0], (args.rows,), device=device)
    batch = data[index].long()
    pos = position_data[index].long()
    inputs, targets = batch[:, :-1], batch[:, 1:].clone()
    keep = loss_mask[index, 1:].bool()
    targets[~keep] = -100
    in_pos = pos[:, :-1]
    # Attention stays inside each conversation: a token sees earlier tokens of the same one only.
    doc = (in_pos == 0).long().cumsum(-1)
    mask = (doc[:, :, None] == doc[:, None, :]) & causal[None]
    with torch.autocast("cuda", dtype=torch.bfloat16):
        logits = model(inputs, in_pos.clamp(min=0), mask[:, None])
    loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    step += 1
    if step % 200 == 0:
        log(f"step {step} loss {loss.item():.4f} lr {lr:.2e} elapsed {elapsed:.0f}s")
    if args.stop_step and step == args.stop_step:
        eval_points = [0.0]
    if eval_points and (elapsed >= eval_points[0] and not args.stop_step or step == args.stop_step):
        eval_points.pop(0)
        t0 = time.time()
        metrics = evaluate(model)
        export(model, step, metrics)
        eval_time += time.time() - t0
        log(f"eval step {step} {json.dumps({k: round(v, 3) for k, v in metrics.items()})} ({time.time() - t0:.1f}s)")
        if not eval_points or step == args.stop_step:
            break
log(f"done: {step} steps, {time.time() - started:.0f}s")
