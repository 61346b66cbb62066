"""Trains mull-tiny-policy on the TypeScript generators' data, evaluates checkpoints on held-out
splits, keeps the one that best matches the calibration targets, samples it for PRM data, and
writes the GGUF, parity probabilities and samples to --out.

python3 training/train_policy.py --data training/data --out $OUT --minutes 5
"""
import argparse
import copy
import gzip
import json
import os
import re
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from run_log import run_log  # noqa: E402
from gguf_writer import BOS_ID, EOS_ID, encode, write_gguf  # noqa: E402
from tiny_llama import TinyLlama, default_config, generate, next_token_probabilities  # noqa: E402
from prm_samples import write_prm_samples  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--data", default="training/data")
parser.add_argument("--out", default="out")
parser.add_argument("--minutes", type=float, default=5.0)
parser.add_argument("--evals", type=int, default=5)
parser.add_argument("--batch", type=int, default=512)
parser.add_argument("--lr", type=float, default=1.5e-3)
parser.add_argument("--dim", type=int, default=256)
parser.add_argument("--layers", type=int, default=6)
parser.add_argument("--ffn", type=int, default=768)
parser.add_argument("--samples-per-problem", type=int, default=4)
parser.add_argument("--temperature", type=float, default=1.0)
parser.add_argument("--pool-limit", type=int, default=0, help="smoke tests: use only this many PRM pool problems")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
log = run_log(args.out, "policy-train.log")


torch.manual_seed(0)
device = "cuda"
started = time.time()
MAX_LEN = 256


def read_jsonl_gz(path):
    with gzip.open(path, "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


train = read_jsonl_gz(os.path.join(args.data, "train.jsonl.gz"))
import numpy as np
lookup = np.zeros(256, dtype=np.int16)
for code in range(256):
    lookup[code] = encode(chr(code))[0] if code < 128 else 0
kept = [item for item in train if len(item["p"]) + len(item["s"]) + 2 <= MAX_LEN]
rows = np.zeros((len(kept), MAX_LEN), dtype=np.int16)
prompt_lengths, lengths = [], []
for row, item in enumerate(kept):
    codes = lookup[np.frombuffer((item["p"] + item["s"]).encode("ascii"), dtype=np.uint8)]
    rows[row, 0] = BOS_ID
    rows[row, 1:1 + len(codes)] = codes
    rows[row, 1 + len(codes)] = EOS_ID
    prompt_lengths.append(1 + len(item["p"]))
    lengths.append(2 + len(codes))
data = torch.from_numpy(rows).to(device)
prompt_lengths = torch.tensor(prompt_lengths, device=device)
lengths = torch.tensor(lengths, device=device)
log(f"train rows {len(rows)} of {len(train)}, mean length {lengths.float().mean().item():.1f}, load {time.time() - started:.1f}s")

evaluation = [json.loads(line) for line in open(os.path.join(args.data, "eval.jsonl")) if line.strip()]
arith_easy = [e for e in evaluation if e["t"] == "arith" and e["d"] == "easy"][:200]
arith_hard = [e for e in evaluation if e["t"] == "arith" and e["d"] == "hard"][:200]
countdown_medium = [e for e in evaluation if e["t"] == "countdown"][:200]


def final_answer(text):
    lines = [line for line in text.split("\n") if "####" in line]
    match = re.search(r"####\s*(-?\d+)\s*$", lines[-1]) if lines else None
    return match.group(1) if match else None


def countdown_solved(prompt, text):
    """Monitoring-only checker (mull's TypeScript checker is authoritative)."""
    match = re.match(r"Q: reach (\d+) with ([\d ]+)\nA: ", prompt)
    target, available = int(match.group(1)), [int(x) for x in match.group(2).split()]
    for line in [l for l in text.split("\n") if l.strip()]:
        final = re.fullmatch(r"####\s*(-?\d+)", line.strip())
        if final:
            return int(final.group(1)) == target and target in available
        step = re.fullmatch(r"(\d+)([-+*/])(\d+)=(-?\d+)", line.strip())
        if not step:
            return False
        a, op, b, c = int(step.group(1)), step.group(2), int(step.group(3)), int(step.group(4))
        value = {"+": a + b, "-": a - b, "*": a * b, "/": a // b if b and a % b == 0 else None}[op]
        if value is None or value != c or value <= 0:
            return False
        for operand in (a, b):
            if operand not in available:
                return False
            available.remove(operand)
        available.append(c)
    return False


def majority(answers):
    counts = {}
    for answer in answers:
        if answer is not None:
            counts[answer] = counts.get(answer, 0) + 1
    return max(counts, key=lambda k: (counts[k], -answers.index(k))) if counts else None


def evaluate(model, temperature):
    model.eval()
    metrics = {}
    for name, problems in [("arith_easy", arith_easy), ("arith_hard", arith_hard)]:
        greedy = generate(model, [p["p"] for p in problems], 0)
        metrics[f"{name}_greedy"] = sum(final_answer(g) == p["a"] for g, p in zip(greedy, problems)) / len(problems)
    k = 16
    samples = generate(model, [p["p"] for p in arith_hard for _ in range(k)], temperature, seed=1)
    maj, pas = 0, 0
    for index, problem in enumerate(arith_hard):
        answers = [final_answer(s) for s in samples[index * k:(index + 1) * k]]
        maj += majority(answers) == problem["a"]
        pas += problem["a"] in answers
    metrics["arith_hard_maj16"] = maj / len(arith_hard)
    metrics["arith_hard_pass16"] = pas / len(arith_hard)
    greedy = generate(model, [p["p"] for p in countdown_medium], 0)
    metrics["countdown_greedy"] = sum(countdown_solved(p["p"], g) for g, p in zip(greedy, countdown_medium)) / len(countdown_medium)
    k = 32
    samples = generate(model, [p["p"] for p in countdown_medium for _ in range(k)], temperature, seed=2)
    metrics["countdown_pass32"] = sum(any(countdown_solved(p["p"], s) for s in samples[i * k:(i + 1) * k]) for i, p in enumerate(countdown_medium)) / len(countdown_medium)
    model.train()
    return metrics


def calibration_distance(m):
    """0 when every calibration row holds (with margins); larger is worse."""
    def below(value, low):
        return max(0.0, low - value)
    def outside(value, low, high):
        return max(0.0, low - value, value - high)
    return (below(m["arith_easy_greedy"], 0.93) + outside(m["arith_hard_greedy"], 0.25, 0.62)
            + below(m["arith_hard_maj16"] - m["arith_hard_greedy"], 0.12) + below(m["arith_hard_pass16"], 0.84)
            + outside(m["countdown_greedy"], 0.08, 0.55) + below(m["countdown_pass32"], 0.65))


config = default_config(dim=args.dim, n_layers=args.layers, ffn_dim=args.ffn)
model = TinyLlama(config).to(device)
parameters = sum(p.numel() for p in model.parameters())
log(f"config {json.dumps(config)} parameters {parameters}")
decay = [p for p in model.parameters() if p.dim() == 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95), fused=True)
budget = args.minutes * 60
eval_points = [budget * (i + 1) / args.evals for i in range(args.evals)]
checkpoints = []
step, total_steps, warmup = 0, None, 200
train_started = time.time()
eval_time = 0.0
while True:
    elapsed = time.time() - train_started - eval_time
    if step == 100:
        total_steps = int(100 * budget / elapsed)
        log(f"estimated total steps {total_steps}")
    if total_steps:
        progress = min(1.0, step / total_steps)
        lr = args.lr * (step / warmup if step < warmup else 0.1 + 0.9 * 0.5 * (1 + torch.cos(torch.tensor(progress * 3.14159)).item()))
    else:
        lr = args.lr * min(1.0, step / warmup)
    for group in optimizer.param_groups:
        group["lr"] = lr
    index = torch.randint(0, data.shape[0], (args.batch,), device=device)
    batch_length = int(lengths[index].max())
    batch = data[index, :batch_length].long()
    inputs, targets = batch[:, :-1], batch[:, 1:].clone()
    positions = torch.arange(batch_length - 1, device=device)[None]
    # Loss on the solution and EOS only: the prompt is given, not predicted.
    keep = (positions >= prompt_lengths[index, None] - 1) & (positions < lengths[index, None] - 1)
    targets[~keep] = -100
    with torch.autocast("cuda", dtype=torch.bfloat16):
        logits = model(inputs)
    loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    step += 1
    if step % 500 == 0:
        log(f"step {step} loss {loss.item():.4f} lr {lr:.2e} elapsed {elapsed:.0f}s")
    if eval_points and elapsed >= eval_points[0]:
        eval_points.pop(0)
        t0 = time.time()
        metrics = evaluate(model, args.temperature)
        eval_time += time.time() - t0
        distance = calibration_distance(metrics)
        log(f"eval step {step} distance {distance:.3f} {json.dumps({k: round(v, 3) for k, v in metrics.items()})} ({time.time() - t0:.1f}s)")
        checkpoints.append((step, distance, metrics, copy.deepcopy(model.state_dict())))
        if not eval_points:
            break

# Prefer the latest checkpoint that meets every row; otherwise the closest.
best = min(checkpoints, key=lambda c: (c[1], -c[0]))
log(f"chosen checkpoint step {best[0]} distance {best[1]:.3f}")
model.load_state_dict(best[3])
model.eval()
torch.save({"config": config, "state": {k: v.half() for k, v in model.state_dict().items()}, "step": best[0], "metrics": best[2]}, os.path.join(args.out, "policy.pt"))
write_gguf(os.path.join(args.out, "mull-tiny-policy.gguf"), config, model.export_tensors(), "mull-tiny-policy")

# Parity: probabilities from the F16-rounded weights, as the GGUF holds them.
rounded = copy.deepcopy(model).float()
with torch.no_grad():
    for p in rounded.parameters():
        if p.dim() == 2:
            p.copy_(p.half().float())
parity_prompts = ["Q: 2+3*4\nA: ", "Q: 2+3*4\nA: 3*4=12\n", "Q: 23+4*17-(38-9)\nA: 38-9=29\n4*17=", "Q: reach 24 with 4 7 8 8\nA: ", "Q: reach 24 with 4 7 8 8\nA: 8/4=2\n", "Q: 17*(3-9)+5\nA: 3-9=-6\n17*-6=-102\n-102+5=-97\n"]
parity = []
for text in parity_prompts:
    probabilities = next_token_probabilities(rounded, text)
    top = torch.topk(probabilities, 8)
    parity.append({"text": text, "top": [[int(i), float(p)] for p, i in zip(top.values, top.indices)]})
json.dump({"model": "mull-tiny-policy.gguf", "tolerance": 0.02, "cases": parity}, open(os.path.join(args.out, "mull-tiny-policy.parity.json"), "w"), indent=1)

# Calibration at other temperatures, for the model card.
for temperature in [0.7]:
    log(f"chosen checkpoint at temperature {temperature}: {json.dumps({k: round(v, 3) for k, v in evaluate(model, temperature).items()})}")
model.eval()

# Policy samples for PRM training (pool problems) and PRM validation (held-out problems).
t0 = time.time()
samples, held_samples = write_prm_samples(model, args.data, args.out, args.temperature, args.samples_per_problem, args.pool_limit)
log(f"sampled {samples} pool and {held_samples} held-out solutions in {time.time() - t0:.1f}s; total {time.time() - started:.0f}s")
