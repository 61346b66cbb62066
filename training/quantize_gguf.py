"""Rewrites a GGUF that gguf_writer.py wrote with its matrices in Q8_0 (half the size of F16), and its parity file
from the numpy forward pass of the quantized weights (the next-token probabilities test/models.test.ts checks
node-llama-cpp against). Runs without a GPU or PyTorch.
Usage: python3 training/quantize_gguf.py <in.gguf> <out.gguf> [--name mull-tiny-prm]
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from gguf_reader import read_gguf  # noqa: E402
from gguf_writer import BOS_ID, encode, write_gguf  # noqa: E402
from reference_forward import forward  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("source")
parser.add_argument("target")
parser.add_argument("--name", default="mull-tiny-prm")
args = parser.parse_args()
# The PRM's verdict tokens (as train_prm.py scores them).
GOOD, BAD = encode("+")[0], encode("-")[0]

config, tensors = read_gguf(args.source)
write_gguf(args.target, config, tensors, args.name, matrices="q8_0")
config, quantized = read_gguf(args.target)
parity_source = json.load(open(args.source.replace(".gguf", ".parity.json")))
cases = []
for case in parity_source["cases"]:
    probabilities = forward(quantized, config, [BOS_ID] + encode(case["text"]))
    top = np.argsort(-probabilities)[:8]
    cases.append({"text": case["text"], "top": [[int(i), float(probabilities[i])] for i in top], "score": float(probabilities[GOOD] / (probabilities[GOOD] + probabilities[BAD]))})
    print(f"{case['text']!r}: score {cases[-1]['score']:.4f} (F16: {case['score']:.4f})")
json.dump({"model": os.path.basename(args.target), "tolerance": parity_source["tolerance"], "cases": cases}, open(args.target.replace(".gguf", ".parity.json"), "w"), indent=1)
print(f"{args.target}: {os.path.getsize(args.target)} bytes")
