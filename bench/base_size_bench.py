"""What a larger base would cost on this CPU: MiniLM-L6 (the judge's base) against MPNet-base.

    .venv/bin/python bench/base_size_bench.py

all-mpnet-base-v2 is on the package index (in five parts); the judge's bars ask for at most
50 MB of weights and at least 100 pairs per second here, and its training must fit a sitting on
2 cores. Speed depends on the architecture, not on the weights, so both models are built from
their configurations with random weights (nothing to download) and fed the same SNLI test pairs,
tokenized by the shipped judge's tokenizer. Per model: parameters, size in fp16 and in int8,
pairs per second judged (torch, no gradient, batches of 64) and trained (forward and backward,
batches of 32, as training/train_nli.py). The rounds alternate, so a noisy machine slows both
alike: read the ratios.
"""

from __future__ import annotations

import sys
import time
from itertools import islice
from pathlib import Path

import torch
from transformers import BertConfig, BertForSequenceClassification, MPNetConfig, MPNetForSequenceClassification

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.judges.cross_encoder import load_tokenizer  # noqa: E402
from training.data import rows  # noqa: E402

JUDGED, TRAINED = 512, 4 * 32

BASES = {
    # sentence-transformers/all-MiniLM-L6-v2's shape: the judge's base.
    "MiniLM-L6 (384 x 6)": lambda: BertForSequenceClassification(
        BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536, num_labels=3)
    ),
    # sentence-transformers/all-mpnet-base-v2's shape.
    "MPNet-base (768 x 12)": lambda: MPNetForSequenceClassification(
        MPNetConfig(vocab_size=30527, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072, num_labels=3)
    ),
}


def _pairs(n: int) -> list[tuple[str, str]]:
    return [(r["premise_or_evidence"], r["claim"]) for r in islice(rows("nli/snli_test.jsonl"), n)]


def _batches(tokenizer, pairs: list[tuple[str, str]], size: int):  # type: ignore[no-untyped-def]
    for lo in range(0, len(pairs), size):
        chunk = pairs[lo : lo + size]
        yield tokenizer([p for p, _ in chunk], [c for _, c in chunk], truncation=True, max_length=128, padding=True, return_tensors="pt")


def _judged_per_second(model, tokenizer, pairs) -> float:  # type: ignore[no-untyped-def]
    model.eval()
    started = time.perf_counter()
    with torch.no_grad():
        for batch in _batches(tokenizer, pairs, 64):
            model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    return len(pairs) / (time.perf_counter() - started)


def _trained_per_second(model, tokenizer, pairs) -> float:  # type: ignore[no-untyped-def]
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-5)
    labels = torch.zeros(32, dtype=torch.long)
    started = time.perf_counter()
    for batch in _batches(tokenizer, pairs, 32):
        out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels[: len(batch["input_ids"])])
        out.loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    return len(pairs) / (time.perf_counter() - started)


def main() -> None:
    torch.manual_seed(0)
    tokenizer = load_tokenizer(ROOT / "models" / "nli-minilm")
    pairs = _pairs(JUDGED)
    models = {name: build() for name, build in BASES.items()}
    for name, model in models.items():
        params = sum(p.numel() for p in model.parameters())
        print(f"{name}: {params / 1e6:.1f}M parameters, {params * 2 / 1e6:.0f} MB in fp16, {params / 1e6:.0f} MB in int8", flush=True)
    for round_ in (1, 2):
        for name, model in models.items():
            judged = _judged_per_second(model, tokenizer, pairs)
            trained = _trained_per_second(model, tokenizer, pairs[:TRAINED])
            print(f"round {round_}, {name}: {judged:.1f} pairs/s judged, {trained:.1f} pairs/s trained", flush=True)


if __name__ == "__main__":
    main()
