"""Checks gguf_reader.py: each shipped model read back and run by the numpy forward pass gives its parity file's
top next-token probabilities (within the file's tolerance). Runs without a GPU or PyTorch.
Usage: python3 training/check_gguf_reader.py [models/mull-tiny-policy.gguf models/mull-tiny-prm.gguf]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from gguf_reader import read_gguf  # noqa: E402
from gguf_writer import BOS_ID, encode  # noqa: E402
from reference_forward import forward  # noqa: E402

paths = sys.argv[1:] or ["models/mull-tiny-policy.gguf", "models/mull-tiny-prm.gguf"]
failures = 0
for path in paths:
    config, tensors = read_gguf(path)
    parity = json.load(open(path.replace(".gguf", ".parity.json")))
    worst = 0.0
    for case in parity["cases"]:
        probabilities = forward(tensors, config, [BOS_ID] + encode(case["text"]))
        for token, expected in case["top"]:
            worst = max(worst, abs(float(probabilities[token]) - expected))
    ok = worst <= parity["tolerance"]
    failures += 0 if ok else 1
    print(f"{path}: {len(tensors)} tensors, config {json.dumps(config)}; largest difference {worst:.2e} (tolerance {parity['tolerance']}): {'ok' if ok else 'FAILED'}")
sys.exit(1 if failures else 0)
