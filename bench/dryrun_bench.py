"""How close `report --dry-run` comes to the run it estimates: calls and tokens, estimated, then paid.

    .venv/bin/python bench/dryrun_bench.py [--size 1000] [--concurrency 8]

The LLM is the stub server (tests/stub_llm.py on 127.0.0.1), counting tokens with a real
tokenizer (MiniLM's WordPiece) over what it is sent and what it answers, as servers bill; the
estimate counts four characters a token. The stub extracts three claims per article, which no
estimate can know before the extractor has read anything, so each corpus is measured twice:

- cold: a fresh store, the extractor has read nothing (the estimate assumes one claim per
  checkable sentence: an upper bound);
- warm: the same extractor has already read other articles in this store (for the benchmark
  corpus, its first 90% were reported before; for the sample corpus, the benchmark corpus was),
  so the estimate knows its claims per article.

Corpora: the five sample articles (corpus/), and --size real news texts from
../shared/datasets as bench/report_bench.py builds them. For each: the estimate (nothing
written, no call), then the real report on the same store, and the ratio real / estimate.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report_bench import bodies, write_corpus  # noqa: E402

from checker.claims.llm_claims import LLMExtractor  # noqa: E402
from checker.config import Settings  # noqa: E402
from checker.judges.llm_judge import LLMJudge  # noqa: E402
from checker.llm.asking import Asker  # noqa: E402
from checker.llm.chat import OpenAIChat  # noqa: E402
from checker.pipelines.estimate import estimate_report  # noqa: E402
from checker.pipelines.ingest import ingest, read_articles  # noqa: E402
from checker.pipelines.judging import Judging  # noqa: E402
from checker.pipelines.report import ReportOptions, build_report  # noqa: E402
from checker.storage.results import Results  # noqa: E402
from checker.storage.store import open_store  # noqa: E402
from tests.stub_llm import StubLLM  # noqa: E402

WORK = ROOT / "bench" / ".work" / "dryrun"


def judging_for(stub: StubLLM, results: Results) -> Judging:
    asker = Asker(OpenAIChat("stub", None, stub.base_url, max_retries=0), results)
    return Judging("llm", LLMExtractor(asker), LLMJudge(asker), asker, "stub", stub.base_url, {})


def estimate(folders: list[Path], store_dir: Path, stub: StubLLM) -> dict[str, float]:
    settings = Settings(store=store_dir)
    articles, _ = read_articles(folders, settings)
    results = Results(settings.results_db, read_only=True)
    before = len(stub.requests)
    started = time.perf_counter()
    found = estimate_report(articles, judging_for(stub, results), results, settings.max_claims, 3, 0.5)
    seconds = time.perf_counter() - started
    assert len(stub.requests) == before, "a dry run called the LLM"
    return {
        "articles": found.articles,
        "claims": found.claims_known + found.claims_estimated,
        "pairs": found.pairs,
        "calls": found.calls,
        "input_tokens": found.input_tokens,
        "output_tokens": found.output_tokens,
        "seconds": round(seconds, 1),
    }


def real(folders: list[Path], store_dir: Path, stub: StubLLM, concurrency: int) -> dict[str, float]:
    settings = Settings(store=store_dir)
    store = open_store(settings.store, None, settings.collection_prefix)
    outcome = ingest(folders, store, settings)
    articles = [s.article for s in store.get_articles([o.article_id for o in outcome.outcomes if o.article_id]).values()]
    results = Results(settings.results_db)
    judging = judging_for(stub, results)
    before = len(stub.requests)
    report = build_report(articles, store, judging, results, ReportOptions(concurrency=concurrency))
    usage = judging.usage()
    results.close()
    return {
        "articles": report.coverage.articles,
        "claims": report.coverage.claims,
        "pairs": report.coverage.candidate_pairs,
        "calls": len(stub.requests) - before,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
    }


def measure(name: str, folders: list[Path], store_dir: Path, stub: StubLLM, concurrency: int) -> dict:
    guess = estimate(folders, store_dir, stub)
    paid = real(folders, store_dir, stub, concurrency)
    ratio = {k: round(paid[k] / guess[k], 3) if guess[k] else None for k in ("claims", "pairs", "calls", "input_tokens", "output_tokens")}
    total = (paid["input_tokens"] + paid["output_tokens"]) / max(1, guess["input_tokens"] + guess["output_tokens"])
    row = {"case": name, "estimate": guess, "real": paid, "real/estimate": ratio | {"tokens": round(total, 3)}}
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    texts = bodies()[: args.size]
    head, tail = WORK / "bench-head", WORK / "bench-tail"
    write_corpus(head, texts[: len(texts) * 9 // 10])
    # The last tenth, numbered on from the head so ids, outlets and dates continue.
    write_corpus(tail, texts)
    lines = (tail / "articles.jsonl").read_text(encoding="utf-8").splitlines()[len(texts) * 9 // 10 :]
    (tail / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    rows = []
    with StubLLM(count_tokens=True) as stub:
        rows.append(measure("sample corpus, cold", [ROOT / "corpus"], WORK / "store-sample", stub, args.concurrency))
        rows.append(measure(f"{len(texts)} articles, cold", [head, tail], WORK / "store-cold", stub, args.concurrency))
        # Warm: the first 90% reported, then the whole corpus (the new tenth and its pairs).
        real([head], WORK / "store-warm", stub, args.concurrency)
        rows.append(measure(f"{len(texts)} articles, warm (last 10% new)", [head, tail], WORK / "store-warm", stub, args.concurrency))
        rows.append(measure("sample corpus, warm", [ROOT / "corpus"], WORK / "store-warm", stub, args.concurrency))
    (WORK / "results.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
