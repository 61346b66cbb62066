"""Majority-vote gain over greedy on held-out arith hard, by sampling temperature (policy.pt)."""
import json
import os
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from tiny_llama import TinyLlama, generate  # noqa: E402

data = sys.argv[1] if len(sys.argv) > 1 else "training/data"
checkpoint = torch.load(os.path.join(data, "policy.pt"), map_location="cuda")
model = TinyLlama(checkpoint["config"]).cuda()
model.load_state_dict({k: v.float() for k, v in checkpoint["state"].items()})
model.eval()
problems = [json.loads(line) for line in open(os.path.join(data, "eval.jsonl")) if line.strip()]
hard = [p for p in problems if p["t"] == "arith" and p["d"] == "hard"]


def answer(text):
    lines = [line for line in text.split("\n") if "####" in line]
    match = re.search(r"####\s*(-?\d+)\s*$", lines[-1]) if lines else None
    return match.group(1) if match else None


greedy = generate(model, [p["p"] for p in hard], 0)
greedy_accuracy = sum(answer(g) == p["a"] for g, p in zip(greedy, hard)) / len(hard)
print(f"greedy {greedy_accuracy:.3f} on {len(hard)}")
for temperature in [0.3, 0.5, 0.7, 1.0, 1.3]:
    k = 16
    samples = generate(model, [p["p"] for p in hard for _ in range(k)], temperature, seed=11)
    majority = passes = single = 0
    for i, p in enumerate(hard):
        answers = [answer(s) for s in samples[i * k:(i + 1) * k]]
        counts = {}
        for a in answers:
            if a is not None:
                counts[a] = counts.get(a, 0) + 1
        top = max(counts, key=counts.get) if counts else None
        majority += top == p["a"]
        passes += p["a"] in answers
        single += answers.count(p["a"]) / k
    n = len(hard)
    print(f"T={temperature}: sample {single / n:.3f} maj16 {majority / n:.3f} (gain {100 * (majority / n - greedy_accuracy):+.1f}) pass16 {passes / n:.3f}")
