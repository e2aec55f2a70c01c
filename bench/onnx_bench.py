"""The ONNX Runtime models against the torch ones they were exported from (needs the train extra).

    .venv/bin/python bench/onnx_bench.py [--variants DIR] [--pairs 2000]

In one run, so ratios share the machine's state:
- the embedder: cosine of each ONNX vector to the sentence-transformers vector, on every chunk
  of the sample corpus; chunks embedded per second by each;
- the offline judge: on claim/sentence pairs from the sample corpus (each sentence of one
  article against the sentences of another), the largest probability difference to torch and
  the share of pairs whose most likely label is the same; pairs per second by each.
``--variants DIR`` also measures the precisions that `python -m training.export_onnx
--judge-precision P --embedder-precision P --out-dir DIR/P` wrote (fp32, fp16w, int8).
The held-out accuracy of the shipped judge is `python -m training.evaluate_nli`'s job.
Prints a Markdown table to paste into docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker import config  # noqa: E402
from checker.articles.loading import (  # noqa: E402
    chunking,  # noqa: E402
    load_file,  # noqa: E402
    sentences,
)
from checker.articles.reading import discover  # noqa: E402
from checker.judges import cross_encoder, nli  # noqa: E402
from checker.storage import embeddings  # noqa: E402
from checker.storage.onnx_models import OnnxEncoder  # noqa: E402


def corpus_articles():  # type: ignore[no-untyped-def]
    return [a for path in discover([ROOT / "corpus"])[0] for a in load_file(path, 10**8).articles]


def timed(func, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", type=Path)
    parser.add_argument("--pairs", type=int, default=2000)
    args = parser.parse_args()
    articles = corpus_articles()
    chunks = [c.text for a in articles for c in chunking.split(a)]
    texts = [s.text for a in articles for s in sentences.split(a.text)]
    every = [(p, h) for p, h in itertools.product(texts, texts) if p != h]
    pairs = every[:: max(1, len(every) // args.pairs)][: args.pairs]  # spread over all articles
    rows = []

    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(config.embedder_source_dir()), device="cpu")
    st.encode(chunks[:8])
    reference, seconds = timed(lambda: st.encode(chunks, batch_size=64, normalize_embeddings=True, convert_to_numpy=True))
    rows.append(("embedder", "torch (sentence-transformers)", len(chunks) / seconds, "1.0", "-"))
    embedder_dirs = [("shipped", config.bundled_embedder_dir())]
    judge_dirs = [("shipped", nli.MODEL_DIR)]
    if args.variants:
        embedder_dirs += [(p.name, p / "embedder") for p in sorted(args.variants.iterdir())]
        judge_dirs += [(p.name, p / "judge") for p in sorted(args.variants.iterdir())]
    for name, folder in embedder_dirs:
        model = OnnxEncoder(folder, max_length=embeddings.MAX_TOKENS, fix="run make export-models")
        model.run(chunks[:8])
        vectors, seconds = timed(lambda m=model: np.vstack([m.run(chunks[i : i + 64]) for i in range(0, len(chunks), 64)]))
        cosine = (vectors * reference).sum(axis=1)
        rows.append(
            (
                "embedder",
                f"onnx {name}",
                len(chunks) / seconds,
                f"min cosine {cosine.min():.5f}",
                f"{(folder / 'model.onnx').stat().st_size / 1e6:.1f} MB",
            )
        )

    loaded = (cross_encoder.load_tokenizer(nli.MODEL_DIR), cross_encoder.load(nli.MODEL_DIR))
    cross_encoder.probabilities(pairs[:16], loaded)
    torch_probs, seconds = timed(lambda: cross_encoder.probabilities(pairs, loaded))
    rows.append(("judge", "torch", len(pairs) / seconds, "1.0", "-"))
    for name, folder in judge_dirs:
        encoder = OnnxEncoder(folder, max_length=256, fix="run make export-models")
        nli._load = lambda path=None, e=encoder: e  # type: ignore[assignment,misc]
        nli.probabilities(pairs[:16])
        probs, seconds = timed(lambda: nli.probabilities(pairs))
        same = float((probs.argmax(1) == torch_probs.argmax(1)).mean())
        diff = float(np.abs(probs - torch_probs).max())
        rows.append(
            (
                "judge",
                f"onnx {name}",
                len(pairs) / seconds,
                f"same label {same:.4f}, max |dp| {diff:.3f}",
                f"{(folder / 'model.onnx').stat().st_size / 1e6:.1f} MB",
            )
        )

    base = {kind: rate for kind, label, rate, _, _ in rows if label.startswith("torch")}
    print(f"{len(chunks)} chunks, {len(pairs)} judge pairs from the sample corpus\n")
    print("| model | runtime | items/s | x torch | agreement with torch | file |")
    print("|---|---|---:|---:|---|---:|")
    for kind, label, rate, agreement, size in rows:
        print(f"| {kind} | {label} | {rate:.1f} | {rate / base[kind]:.2f} | {agreement} | {size} |")


if __name__ == "__main__":
    main()
