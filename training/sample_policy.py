"""Samples the shipped policy (read from its GGUF, no checkpoint needed) on the PRM pool and the held-out
evaluation problems: the policy samples PRM training reads (what train_policy.py writes at its end).

python3 training/sample_policy.py --data training/data --out $OUT [--gguf models/mull-tiny-policy.gguf]
Reads prm-pool.jsonl.gz and eval.jsonl (training/make-data.ts); writes prm-samples.jsonl.gz (4 per pool
problem, temperature 1, seed 3) and prm-heldout-samples.jsonl.gz (4 per medium/hard held-out problem, seed 4).
"""
import argparse
import os
import sys
import time


sys.path.insert(0, os.path.dirname(__file__))
from gguf_reader import load_into, read_gguf  # noqa: E402
from prm_samples import write_prm_samples  # noqa: E402
from tiny_llama import TinyLlama  # noqa: E402

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


samples, held_samples = write_prm_samples(model, args.data, args.out, args.temperature, args.samples_per_problem, args.pool_limit)
print(f"sampled {samples} pool and {held_samples} held-out solutions in {time.time() - started:.1f}s", flush=True)
