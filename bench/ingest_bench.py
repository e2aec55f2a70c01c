"""Ingest throughput, overhead around the embedding model, and peak memory.

    .venv/bin/python bench/ingest_bench.py [--articles 1000]

Measures, in one run so the ratios share the machine's state:
- the sample corpus and a larger real corpus (the 900 distinct FNC-1 article bodies, topped up
  with SummEdits news articles and WiCE's cited web pages, read from ../shared/datasets at run
  time, never copied into the repo);
- ingest wall time into a fresh embedded store, articles/s and chunks/s;
- the bare embedding time of exactly the same chunk texts, and the ratio ingest/embedding;
- a re-ingest of the unchanged corpus (should be far cheaper than the first);
- the peak resident memory of `checker ingest` of the large corpus in a child process.
Prints a Markdown table to paste into docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.articles.loading import (  # noqa: E402
    chunking,  # noqa: E402
    load_file,  # noqa: E402
)
from checker.articles.reading import discover  # noqa: E402
from checker.config import Settings  # noqa: E402
from checker.pipelines.ingest import ingest  # noqa: E402
from checker.storage import embeddings  # noqa: E402
from checker.storage.store import open_store  # noqa: E402

WORK = ROOT / "bench" / ".work"
DATASETS = ROOT.parent / "shared" / "datasets"


def real_news_corpus(count: int) -> Path:
    """A JSONL file of `count` distinct real news articles."""
    seen: dict[str, dict] = {}
    for name in ("fnc1/fnc1_competition_test_related_only.jsonl", "summedits/summedits_news.jsonl", "wice/wice_claim_dev.jsonl"):
        for line in (DATASETS / name).open(encoding="utf-8"):
            row = json.loads(line)
            body = row["premise_or_evidence"]
            if body not in seen and len(seen) < count:
                seen[body] = {"id": f"bench-{len(seen):05d}", "outlet": name.split("/")[0], "text": body}
    if len(seen) < count:
        raise SystemExit(f"only {len(seen)} distinct articles available in {DATASETS}")
    path = WORK / f"news-{count}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in seen.values()), encoding="utf-8")
    return path


def measure(label: str, source: Path) -> dict[str, float | str]:
    store_dir = WORK / f"store-{label}"
    shutil.rmtree(store_dir, ignore_errors=True)
    settings = Settings(store=store_dir)
    store = open_store(settings.store, None, settings.collection_prefix)

    started = time.perf_counter()
    report = ingest([source], store, settings)
    ingest_s = time.perf_counter() - started
    articles = report.count("added")
    chunks = store.count_chunks()

    # The same chunk texts, embedded with nothing around them.
    files, _ = discover([source])
    added = {o.article_id for o in report.outcomes if o.status == "added"}
    texts = [
        c.text
        for f in files
        for a in load_file(f, 10**8).articles
        if a.id in added
        for c in chunking.split(a, settings.chunk_size, settings.chunk_overlap)
    ]
    assert len(texts) == chunks, (len(texts), chunks)
    started = time.perf_counter()
    embeddings.embed(texts, batch_size=settings.embedding_batch)
    embed_s = time.perf_counter() - started

    started = time.perf_counter()
    again = ingest([source], store, settings)
    reingest_s = time.perf_counter() - started
    assert again.count("unchanged") == articles

    return {
        "corpus": label,
        "articles": articles,
        "chunks": chunks,
        "ingest_s": ingest_s,
        "articles_per_s": articles / ingest_s,
        "chunks_per_s": chunks / ingest_s,
        "embed_s": embed_s,
        "ratio": ingest_s / embed_s,
        "reingest_s": reingest_s,
    }


def peak_memory_mb(source: Path) -> float:
    store_dir = WORK / "store-memory"
    shutil.rmtree(store_dir, ignore_errors=True)
    checker = Path(sys.executable).parent / "checker"
    subprocess.run([str(checker), "ingest", str(source), "--store", str(store_dir)], check=True, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="size of the large corpus")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    embeddings.embed(["warm up"])
    load_s = time.perf_counter() - started

    large = real_news_corpus(args.articles)
    rows = [measure("sample corpus/", ROOT / "corpus"), measure(f"{args.articles} real news articles", large)]
    memory = peak_memory_mb(large)

    print(f"model load (once per process): {load_s:.1f} s\n")
    print("| corpus | articles | chunks | ingest s | articles/s | chunks/s | bare embedding s | ingest / embedding | re-ingest unchanged s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['corpus']} | {r['articles']} | {r['chunks']} | {r['ingest_s']:.1f} | {r['articles_per_s']:.1f} | "
            f"{r['chunks_per_s']:.1f} | {r['embed_s']:.1f} | {r['ratio']:.2f} | {r['reingest_s']:.1f} |"
        )
    print(f"\npeak memory of `checker ingest` of {args.articles} articles (child process, max RSS): {memory:.0f} MB")


if __name__ == "__main__":
    main()
