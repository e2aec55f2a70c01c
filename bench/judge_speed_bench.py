"""Offline judge speed by export: SNLI test pairs per second through ONNX Runtime, two rounds each.

    .venv/bin/python bench/judge_speed_bench.py FOLDER [FOLDER...]   # folders holding model.onnx

Each folder is an export of the judge (models/nli-minilm, or a candidate from
`python -m training.export_onnx --out-dir ...`). The rounds alternate between the folders, so a
noisy machine slows them alike; read the ratios.
"""

from __future__ import annotations

import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.judges import nli  # noqa: E402
from training.data import rows  # noqa: E402

PAIRS = 2000


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [ROOT / "models" / "nli-minilm"]
    pairs = [(r["premise_or_evidence"], r["claim"]) for r in islice(rows("nli/snli_test.jsonl"), PAIRS)]
    for folder in folders * 2:
        nli._load.cache_clear()
        nli.probabilities(pairs[:64], model_dir=folder)  # the session is made before timing
        started = time.perf_counter()
        nli.probabilities(pairs, model_dir=folder)
        print(f"{folder}: {len(pairs) / (time.perf_counter() - started):.1f} pairs/s", flush=True)


if __name__ == "__main__":
    main()
