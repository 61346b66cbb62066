"""Trains mull-tiny-prm from the policy's weights on the policy's own labeled samples.

python3 training/train_prm.py --data training/data --out $OUT --minutes 3
Reads training/data/policy.pt, prm-train.jsonl.gz and prm-heldout.jsonl.gz (labeled by
training/label-samples.ts). Writes mull-tiny-prm.gguf, its parity file and a log.
"""
import argparse
import copy
import gzip
import json
import os
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from run_log import run_log  # noqa: E402
from gguf_writer import BOS_ID, encode, write_gguf  # noqa: E402
from tiny_llama import TinyLlama, next_token_probabilities  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--data", default="training/data")
parser.add_argument("--out", default="out")
parser.add_argument("--minutes", type=float, default=3.0)
parser.add_argument("--batch", type=int, default=256)
parser.add_argument("--lr", type=float, default=5e-4)
parser.add_argument("--evals", type=int, default=3)
# Extra labeled data (e.g. training/make-prm-synthetic.ts) and the share of each batch drawn from it.
parser.add_argument("--extra", default=None)
parser.add_argument("--extra-share", type=float, default=0.5)
# Start from a GGUF's weights (e.g. the shipped PRM, to train it further) instead of policy.pt.
parser.add_argument("--init", default=None)
# Where policy.pt is read from (default: --data).
parser.add_argument("--policy", default=None)
# Checkpoints are chosen on half of the held-out problems' samples and reported on the other half, so that the
# reported numbers are not the ones the choice was made on.
parser.add_argument("--split-selection", action="store_true")
# Weight of countdown's partial-state AUROC in the checkpoint choice (step-level search prunes on it).
parser.add_argument("--partial-weight", type=float, default=1.0)
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
log = run_log(args.out, "prm-train.log")


torch.manual_seed(0)
device = "cuda"
MAX_LEN = 384
MARK, GOOD, BAD = encode("?")[0], encode("+")[0], encode("-")[0]
started = time.time()


def load(path):
    rows, label_rows, correct, kinds, prompts = [], [], [], [], []
    with gzip.open(path, "rt") as handle:
        for line in handle:
            if not line.strip():
                continue
            item = json.loads(line)
            ids = [BOS_ID] + encode(item["x"])
            if len(ids) > MAX_LEN:
                continue
            marks = [i for i, t in enumerate(ids) if t == MARK]
            if len(marks) != len(item["l"]):
                continue
            targets = [-100] * MAX_LEN
            for position, label in zip(marks, item["l"]):
                targets[position] = GOOD if label else BAD
            rows.append(ids + [0] * (MAX_LEN - len(ids)))
            label_rows.append(targets)
            correct.append(item["c"])
            kinds.append(item["t"])
            prompts.append(item["x"].split("\nA:")[0])
    return torch.tensor(rows, device=device), torch.tensor(label_rows, device=device), correct, kinds, prompts


train_x, train_y, _, _, _ = load(os.path.join(args.data, "prm-train.jsonl.gz"))
held_x, held_y, held_correct, held_kinds, held_prompts = load(os.path.join(args.data, "prm-heldout.jsonl.gz"))
train_lengths = (train_x != 0).sum(1)
if args.extra:
    extra_x, extra_y, _, _, _ = load(os.path.join(args.data, args.extra))
    extra_lengths = (extra_x != 0).sum(1)
    log(f"extra {extra_x.shape[0]} from {args.extra}, share of each batch {args.extra_share}")
log(f"train {train_x.shape[0]} held-out {held_x.shape[0]} load {time.time() - started:.1f}s; good-step share {(train_y == GOOD).sum().item() / (train_y != -100).sum().item():.3f}")

if args.init:
    from gguf_reader import load_into, read_gguf

    config, tensors = read_gguf(args.init)
    model = load_into(TinyLlama(config), tensors).to(device)
    log(f"initialised from {args.init}")
else:
    checkpoint = torch.load(args.policy or os.path.join(args.data, "policy.pt"), map_location=device)
    config = checkpoint["config"]
    model = TinyLlama(config).to(device)
    model.load_state_dict({k: v.float() for k, v in checkpoint["state"].items()})


def auroc(scores, labels):
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=bool)
    positives, negatives = labels.sum(), (~labels).sum()
    if positives == 0 or negatives == 0:
        return float("nan")
    order = scores.argsort()
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # Average ranks for ties.
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@torch.no_grad()
def evaluate():
    if not args.split_selection:
        return evaluate_rows(range(held_x.shape[0]))
    # By problem, so that no problem's samples are on both sides.
    halves = [zlib.crc32(prompt.encode()) % 2 for prompt in held_prompts]
    return {
        "select": evaluate_rows([i for i, half in enumerate(halves) if half == 0]),
        "report": evaluate_rows([i for i, half in enumerate(halves) if half == 1]),
    }


def evaluate_rows(indices):
    indices = torch.tensor(list(indices), device=device)
    part_x, part_y = held_x[indices], held_y[indices]
    part_kinds = [held_kinds[i] for i in indices.tolist()]
    part_correct = [held_correct[i] for i in indices.tolist()]
    model.eval()
    step_scores, step_labels, final_scores = [], [], []
    # Countdown's steps before the final line: whether the target is still reachable (what search prunes on).
    partial_scores, partial_labels = [], []
    for start in range(0, part_x.shape[0], 1024):
        x, y = part_x[start:start + 1024], part_y[start:start + 1024]
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(x).float()
        pair = torch.softmax(logits[..., [GOOD, BAD]], -1)[..., 0]
        # Scores are read at the position after '?': the model's prediction at the '?' position.
        for row in range(x.shape[0]):
            positions = (y[row] != -100).nonzero().flatten()
            # targets sit at the '?' position itself; the prediction for the next token is logits[pos]
            scores = pair[row, positions].tolist()
            labels = (y[row, positions] == GOOD).tolist()
            step_scores += scores
            step_labels += labels
            final_scores.append(scores[-1])
            if part_kinds[start + row] == "countdown":
                partial_scores += scores[:-1]
                partial_labels += labels[:-1]
    model.train()
    result = {
        "step_auroc": auroc(step_scores, step_labels),
        "solution_auroc": auroc(final_scores, part_correct),
        "countdown_partial_auroc": auroc(partial_scores, partial_labels),
    }
    for kind in ("arith", "countdown"):
        chosen = [i for i, k in enumerate(part_kinds) if k == kind]
        result[f"{kind}_solution_auroc"] = auroc([final_scores[i] for i in chosen], [part_correct[i] for i in chosen])
    return result


log(f"before training: {json.dumps(evaluate())}")
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1, fused=True)
budget = args.minutes * 60
eval_points = [budget * (i + 1) / args.evals for i in range(args.evals)]
step, train_started, eval_time, best = 0, time.time(), 0.0, None
while eval_points:
    elapsed = time.time() - train_started - eval_time
    progress = min(1.0, elapsed / budget)
    lr = args.lr * min(1.0, (step + 1) / 100) * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * progress)))
    for group in optimizer.param_groups:
        group["lr"] = lr
    if args.extra:
        extra_count = int(round(args.batch * args.extra_share))
        index = torch.randint(0, train_x.shape[0], (args.batch - extra_count,), device=device)
        extra_index = torch.randint(0, extra_x.shape[0], (extra_count,), device=device)
        width = int(max(train_lengths[index].max(), extra_lengths[extra_index].max()))
        x = torch.cat([train_x[index, :width], extra_x[extra_index, :width]])
        y = torch.cat([train_y[index, :width], extra_y[extra_index, :width]])
    else:
        index = torch.randint(0, train_x.shape[0], (args.batch,), device=device)
        width = int(train_lengths[index].max())
        x, y = train_x[index, :width], train_y[index, :width]
    # The label of a '?' at position p is predicted from position p (next-token prediction).
    with torch.autocast("cuda", dtype=torch.bfloat16):
        logits = model(x)
    loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    step += 1
    if step % 500 == 0:
        log(f"step {step} loss {loss.item():.4f} lr {lr:.2e} elapsed {elapsed:.0f}s")
    if elapsed >= eval_points[0]:
        eval_points.pop(0)
        t0 = time.time()
        metrics = evaluate()
        eval_time += time.time() - t0
        log(f"eval step {step} {json.dumps(metrics)}")
        chosen_on = metrics["select"] if args.split_selection else metrics
        score = chosen_on["step_auroc"] + chosen_on["solution_auroc"] + (args.partial_weight * chosen_on["countdown_partial_auroc"] if args.extra else 0)
        if args.split_selection:
            # Arith solutions are where the PRM is weakest; the choice weighs them too.
            score += chosen_on["arith_solution_auroc"]
        if best is None or score >= best[0]:
            best = (score, step, metrics, copy.deepcopy(model.state_dict()))

log(f"chosen step {best[1]} {json.dumps(best[2])}")
model.load_state_dict(best[3])
model.eval()
write_gguf(os.path.join(args.out, "mull-tiny-prm.gguf"), config, model.export_tensors(), "mull-tiny-prm")
rounded = copy.deepcopy(model).float()
with torch.no_grad():
    for p in rounded.parameters():
        if p.dim() == 2:
            p.copy_(p.half().float())
cases = []
for text in ["Q: 2+3*4\nA: 3*4=12?", "Q: 2+3*4\nA: 3*4=12?\n2+12=14?\n#### 14?", "Q: 2+3*4\nA: 2+3=5?", "Q: reach 24 with 4 7 8 8\nA: 8/4=2?\n7+2=9?", "Q: reach 24 with 4 7 8 8\nA: 8-4=4?\n7-4=3?\n3*8=24?\n#### 24?"]:
    probabilities = next_token_probabilities(rounded, text)
    top = torch.topk(probabilities, 8)
    cases.append({"text": text, "top": [[int(i), float(p)] for p, i in zip(top.values, top.indices)], "score": float(probabilities[GOOD] / (probabilities[GOOD] + probabilities[BAD]))})
json.dump({"model": "mull-tiny-prm.gguf", "tolerance": 0.02, "cases": cases}, open(os.path.join(args.out, "mull-tiny-prm.parity.json"), "w"), indent=1)
log(f"done in {time.time() - started:.0f}s")
