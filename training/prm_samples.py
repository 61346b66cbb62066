"""The policy's samples that PRM training reads: 4 per PRM-pool problem (seed 3) and 4 per medium/hard held-out
problem (seed 4), written as {t, p, s} JSON lines. Shared by train_policy.py (at its end) and sample_policy.py."""
import gzip
import json
import os

from tiny_llama import generate


def read_jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _write(path, rows):
    with gzip.open(path, "wt") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")


def write_prm_samples(model, data, out, temperature, samples_per_problem=4, pool_limit=0):
    """Writes prm-samples.jsonl.gz and prm-heldout-samples.jsonl.gz to `out`; returns how many of each."""
    pool = read_jsonl(os.path.join(data, "prm-pool.jsonl.gz"))
    if pool_limit:
        pool = pool[:pool_limit]
    k = samples_per_problem
    prompts = [p["p"] for p in pool for _ in range(k)]
    samples = generate(model, prompts, temperature, seed=3, batch_size=4096)
    _write(os.path.join(out, "prm-samples.jsonl.gz"), ({"t": pool[i // k]["t"], "p": prompts[i], "s": text} for i, text in enumerate(samples)))
    held = [e for e in read_jsonl(os.path.join(data, "eval.jsonl")) if e["d"] in ("hard", "medium")]
    held_prompts = [p["p"] for p in held for _ in range(4)]
    held_samples = generate(model, held_prompts, temperature, seed=4, batch_size=4096)
    _write(
        os.path.join(out, "prm-heldout-samples.jsonl.gz"),
        ({"t": held[i // 4]["t"], "p": held_prompts[i], "s": text} for i, text in enumerate(held_samples)),
    )
    return len(samples), len(held_samples)
