"""Samples the shipped policy (read from its GGUF, no checkpoint needed) on the PRM pool and the held-out
evaluation problems: the policy samples PRM training reads (what train_policy.py writes at its end).

python3 training/sample_policy.py --data training/data --out $OUT [--gguf models/mull-tiny-policy.gguf]
Reads prm-pool.jsonl.gz and eval.jsonl (training/make-data.ts); writes prm-samples.jsonl.gz (4 per pool
problem, temperature 1, seed 3) and prm-heldout-samples.jsonl.gz (4 per medium/hard held-out problem, seed 4).
"""
import argparse
import gzip
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from gguf_reader import load_into, read_gguf  # noqa: E402
from tiny_llama import TinyLlama, generate  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--data", default="training/data")
parser.add_argument("--out", default="out")
parser.add_argument("--gguf", default="models/mull-tiny-policy.gguf")
parser.add_argument("--samples-per-problem", type=int, default=4)
parser.add_argument("--temperature", type=float, default=1.0)
parser.add_argument("--pool-limit", type=int, default=0, help="smoke tests: use only this many pool problems")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
started = time.time()
config, tensors = read_gguf(args.gguf)
model = load_into(TinyLlama(config), tensors).to("cuda").eval()


def read_jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write(path, rows):
    with gzip.open(path, "wt") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")


pool = read_jsonl(os.path.join(args.data, "prm-pool.jsonl.gz"))
if args.pool_limit:
    pool = pool[:args.pool_limit]
k = args.samples_per_problem
prompts = [p["p"] for p in pool for _ in range(k)]
samples = generate(model, prompts, args.temperature, seed=3, batch_size=4096)
write(os.path.join(args.out, "prm-samples.jsonl.gz"), ({"t": pool[i // k]["t"], "p": prompts[i], "s": text} for i, text in enumerate(samples)))
held = [e for e in read_jsonl(os.path.join(args.data, "eval.jsonl")) if e["d"] in ("hard", "medium")]
held_prompts = [p["p"] for p in held for _ in range(4)]
held_samples = generate(model, held_prompts, args.temperature, seed=4, batch_size=4096)
write(os.path.join(args.out, "prm-heldout-samples.jsonl.gz"), ({"t": held[i // 4]["t"], "p": held_prompts[i], "s": text} for i, text in enumerate(held_samples)))
print(f"sampled {len(samples)} pool and {len(held_samples)} held-out solutions in {time.time() - started:.1f}s", flush=True)
