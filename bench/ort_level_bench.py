"""Which graph optimisation ONNX Runtime should apply when it loads checker's two models.

    .venv/bin/python bench/ort_level_bench.py [--runs 5]

The exported files are already optimised (training/export_onnx.py fuses them), so the
optimisation ONNX Runtime repeats at every load may buy nothing but start-up time, which is
most of what `checker search` and `checker check` wait for after chromadb's import. For each
model and level this prints the median load time over ``--runs`` loads, items per second
(the sample corpus's chunks for the embedder, pairs of its sentences for the judge, in
batches of 32, best of ``--runs``) and the largest difference from the default level's
outputs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.articles import chunking, sentences  # noqa: E402
from checker.articles.loading import load_file  # noqa: E402
from checker.config import Settings, bundled_embedder_dir, bundled_judge_dir  # noqa: E402
from checker.storage.onnx_models import ONNX_FILE, OnnxEncoder  # noqa: E402

LEVELS = ["ORT_ENABLE_ALL", "ORT_ENABLE_BASIC", "ORT_DISABLE_ALL"]


def workloads() -> dict[str, tuple[Path, list]]:
    settings = Settings()
    articles = [a for path in sorted((ROOT / "corpus").glob("*.md")) for a in load_file(path, 10**7).articles]
    chunks = [c.text for a in articles for c in chunking.split(a, settings.chunk_size, settings.chunk_overlap)]
    sents = [s.text for a in articles for s in sentences.split(a.text)]
    pairs = list(zip(sents, sents[1:]))[:512]
    return {"embedder": (bundled_embedder_dir(), chunks), "judge": (bundled_judge_dir(), pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import numpy as np
    import onnxruntime as ort

    print("| model | level | load s (median) | items/s (best) | max abs diff from ORT_ENABLE_ALL |")
    print("|---|---|---:|---:|---:|")
    for name, (folder, items) in workloads().items():
        # checker's own encoder (its tokenizer settings and inputs); only its session is
        # swapped for one loaded at each level.
        encoder = OnnxEncoder(folder, max_length=256, fix="run `make export-models`")
        batches = [items[lo : lo + 32] for lo in range(0, len(items), 32)]
        reference = None
        for level in LEVELS:
            loads, rates = [], []
            for _ in range(args.runs):
                options = ort.SessionOptions()
                options.log_severity_level = 3
                options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
                started = time.perf_counter()
                encoder.session = ort.InferenceSession(str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"])
                loads.append(time.perf_counter() - started)
            for _ in range(args.runs):
                started = time.perf_counter()
                outputs = np.concatenate([encoder.run(batch) for batch in batches])
                rates.append(len(items) / (time.perf_counter() - started))
            reference = outputs if reference is None else reference
            diff = float(np.abs(outputs - reference).max())
            print(f"| {name} | {level} | {statistics.median(loads):.3f} | {max(rates):.1f} | {diff:.2e} |")


if __name__ == "__main__":
    main()
