"""Does a pair's score depend on the other pairs in its batch? Per export of the judge.

    .venv/bin/python bench/batch_invariance_bench.py FOLDER [FOLDER...]   # folders holding model.onnx

Scores the first 2,000 SNLI test pairs twice per folder: in batches of 64 (grouped by length,
as `checker.judges.nli.probabilities` batches them) and one pair at a time. Prints the largest
and mean change of any probability, how many pairs would change verdict at the shipped
thresholds (agree when entailment reaches agree_at, contradict when contradiction reaches
contradict_at), the pairs per second of each way, and what the encoder's load-time check says and how long it
takes. (The batched figure of an export that fails the check is its one-at-a-time path: the
encoder no longer batches it.) A float export should differ only by
rounding; an int8 export quantizes each matrix product's input with one scale for the whole
batch (ONNX Runtime's dynamic quantization), padding included, so its batch-mates move it.
"""

from __future__ import annotations

import sys
import time
from itertools import islice
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.judges import nli  # noqa: E402
from training.data import rows  # noqa: E402

PAIRS = 2000


def verdicts(probs: np.ndarray, agree_at: float, contradict_at: float) -> np.ndarray:
    agree = probs[:, nli.ENTAIL] >= agree_at
    contradict = ~agree & (probs[:, nli.CONTRA] >= contradict_at)
    return np.where(agree, 0, np.where(contradict, 2, 1))


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [ROOT / "models" / "nli-minilm"]
    pairs = [(r["premise_or_evidence"], r["claim"]) for r in islice(rows("nli/snli_test.jsonl"), PAIRS)]
    agree_at, contradict_at = nli.thresholds(ROOT / "models" / "nli-minilm")
    for folder in folders:
        nli._load.cache_clear()
        nli.probabilities(pairs[:64], model_dir=folder)  # the session is made before timing
        started = time.perf_counter()
        batched = nli.probabilities(pairs, model_dir=folder)
        batched_rate = len(pairs) / (time.perf_counter() - started)
        started = time.perf_counter()
        alone = nli.probabilities(pairs, batch_size=1, model_dir=folder)
        alone_rate = len(pairs) / (time.perf_counter() - started)
        encoder = nli._load(folder)
        started = time.perf_counter()
        invariant = encoder._batch_invariant()
        check_ms = 1000 * (time.perf_counter() - started)
        change = np.abs(batched - alone)
        flips = int((verdicts(batched, agree_at, contradict_at) != verdicts(alone, agree_at, contradict_at)).sum())
        print(
            f"{folder}: max change {change.max():.4f}, mean {change.mean():.5f}; "
            f"verdicts changed {flips} of {len(pairs)} (thresholds {agree_at}/{contradict_at}); "
            f"batched {batched_rate:.1f} pairs/s, one at a time {alone_rate:.1f} pairs/s; "
            f"the load-time check says {'invariant' if invariant else 'batch-dependent'} in {check_ms:.1f} ms",
            flush=True,
        )


if __name__ == "__main__":
    main()
