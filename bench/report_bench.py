"""How the cost of `checker report` grows with the corpus, and what a rerun after one new article costs.

    .venv/bin/python bench/report_bench.py [--sizes 10 100 1000] [--delay 0.02] [--concurrency 8]

Corpora are real news texts (FNC-1 article bodies, then SummEdits and WiCE to reach 1,001;
read from ../shared/datasets at run time, never copied into the repository), given ten
outlets in turn and dates spread over 30 days. The
LLM is the stub server of the compare tests (tests/stub_llm.py on 127.0.0.1): it extracts
three sentences per article and answers every judgement after `delay` seconds, so what is
measured is checker's own work and the number of calls, not a model's speed.

For each size: a fresh store; ingest (timed apart); the report (timed): claims, candidate
pairs judged, the cross-outlet pairs that judging every pair would cost, LLM calls. Then,
on the largest corpus, one new article is added and the report run again: only pairs that
involve it may be judged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.claims.llm_claims import LLMExtractor  # noqa: E402
from checker.config import Settings  # noqa: E402
from checker.judges.llm_judge import LLMJudge  # noqa: E402
from checker.llm.asking import Asker  # noqa: E402
from checker.llm.chat import OpenAIChat  # noqa: E402
from checker.pipelines.ingest import ingest  # noqa: E402
from checker.pipelines.judging import Judging  # noqa: E402
from checker.pipelines.report import ReportOptions, build_report  # noqa: E402
from checker.storage.results import open_results  # noqa: E402
from checker.storage.store import open_store  # noqa: E402
from tests.stub_llm import StubLLM  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
WORK = ROOT / "bench" / ".work" / "report"
OUTLETS = [f"Outlet {chr(ord('A') + i)}" for i in range(10)]


def bodies() -> list[str]:
    """Distinct real news texts: FNC-1 bodies first, then SummEdits articles and WiCE's cited
    pages to make up the number (FNC-1 has about 900 distinct bodies)."""
    seen: dict[str, None] = {}
    for name in ("fnc1/fnc1_competition_test_related_only.jsonl", "summedits/summedits_news.jsonl", "wice/wice_claim_dev.jsonl"):
        path = DATASETS / name
        if not path.exists():
            raise SystemExit(f"{path} is missing: the benchmark reads ../shared/datasets beside the checkout")
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                seen.setdefault(json.loads(line)["premise_or_evidence"].strip())
    return [text for text in seen if text]


def write_corpus(folder: Path, texts: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    start = dt.date(2022, 3, 1)
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            record = {
                "id": f"fnc-{i:04d}",
                "outlet": OUTLETS[i % len(OUTLETS)],
                "title": f"Article {i}",
                "date": (start + dt.timedelta(days=i % 30)).isoformat(),
                "text": text,
            }
            handle.write(json.dumps(record) + "\n")


def run(folder: Path, store_dir: Path, stub: StubLLM, concurrency: int) -> dict[str, float]:
    settings = Settings(store=store_dir)
    store = open_store(settings.store, None, settings.collection_prefix)
    started = time.perf_counter()
    outcome = ingest([folder], store, settings)
    ingest_s = time.perf_counter() - started
    articles = [s.article for s in store.get_articles([o.article_id for o in outcome.outcomes if o.article_id]).values()]
    results = open_results(settings.results_location)
    asker = Asker(OpenAIChat("stub", None, stub.base_url, max_retries=0), results)
    judging = Judging("llm", LLMExtractor(asker), LLMJudge(asker), asker, "stub", stub.base_url, {})
    before = len(stub.requests)
    started = time.perf_counter()
    report = build_report(articles, store, judging, results, ReportOptions(concurrency=concurrency))
    report_s = time.perf_counter() - started
    results.close()
    c = report.coverage
    return {
        "articles": c.articles,
        "claims": c.claims,
        "candidates": c.candidate_pairs,
        "judged": c.judged,
        "reused": c.reused,
        "cross": c.cross_outlet_pairs,
        "calls": len(stub.requests) - before,
        "ingest_s": ingest_s,
        "report_s": report_s,
        "events": len(report.events),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the stub takes per answer")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    texts = bodies()
    shutil.rmtree(WORK, ignore_errors=True)
    rows = []
    with StubLLM(delay=args.delay) as stub:
        for size in args.sizes:
            folder = WORK / f"corpus-{size}"
            write_corpus(folder, texts[:size])
            rows.append(run(folder, WORK / f"store-{size}", stub, args.concurrency))
            print(json.dumps(rows[-1]), flush=True)
        largest = max(args.sizes)
        if len(texts) <= largest:
            raise SystemExit(f"only {len(texts)} distinct texts: need {largest + 1} for the rerun with one more")
        folder = WORK / f"corpus-{largest}"
        rerun = run(folder, WORK / f"store-{largest}", stub, args.concurrency)
        write_corpus(folder, texts[: largest + 1])
        grown = run(folder, WORK / f"store-{largest}", stub, args.concurrency)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"\nstub delay {args.delay} s per call, concurrency {args.concurrency}, k = 3 nearest claims\n")
    print("| articles | claims | pairs judged | all cross-outlet pairs | judged / claims | LLM calls | ingest s | report s | report s / article |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['articles']} | {r['claims']} | {r['judged']} | {r['cross']:,} | {r['judged'] / max(r['claims'], 1):.2f} "
            f"| {r['calls']} | {r['ingest_s']:.1f} | {r['report_s']:.1f} | {r['report_s'] / r['articles']:.3f} |"
        )
    print(
        f"\nrerun, nothing changed ({rows[-1]['articles']} articles): {rerun['calls']} LLM calls, {rerun['reused']} verdicts reused, "
        f"{rerun['report_s']:.1f} s"
    )
    print(
        f"rerun after adding one article: {grown['calls']} LLM calls (1 extraction + {grown['calls'] - 1} pairs that involve it), "
        f"{grown['reused']} verdicts reused, {grown['report_s']:.1f} s"
    )
    print(f"peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
