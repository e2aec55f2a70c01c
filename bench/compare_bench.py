"""Judging throughput against a stub LLM with a fixed delay, and the calls a rerun makes.

    .venv/bin/python bench/compare_bench.py [--claims 64] [--delay 0.25]

The stub (tests/stub_llm.py, on 127.0.0.1) answers every request validly after `delay`
seconds, so the ideal time to judge N claims at concurrency C is N x delay / C. For C in 1,
8, 32 this reports claims judged per second and the ratio ideal / measured (1.0 = no
overhead). Claims are fixed sentences of the sample corpus (no extraction call), so only
the judging stage is timed. Each concurrency gets a fresh results database; then the last
configuration is run again on its database, which must make zero LLM calls.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.claims.llm_claims import make_claim  # noqa: E402
from checker.config import Settings  # noqa: E402
from checker.judges.llm_judge import LLMJudge  # noqa: E402
from checker.llm.asking import Asker  # noqa: E402
from checker.llm.chat import OpenAIChat  # noqa: E402
from checker.pipelines.compare import CompareOptions, compare  # noqa: E402
from checker.pipelines.ingest import ingest  # noqa: E402
from checker.schemas import Article, Claim  # noqa: E402
from checker.storage.results import Results  # noqa: E402
from checker.storage.store import open_store  # noqa: E402
from tests.stub_llm import StubLLM  # noqa: E402

SENTENCE = re.compile(r"[^.!?\n]{40,}[.!?]")


class SentenceClaims:
    """Every sentence of the article is a claim: a fixed workload with no LLM call."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.name = f"bench-sentences:{limit}"

    def extract(self, article: Article) -> tuple[list[Claim], int]:
        claims = [make_claim(article, s.strip(), s.strip(), article.outlet, None, "event") for s in SENTENCE.findall(article.text)]
        return [c for c in claims if c][: self.limit], 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=64)
    parser.add_argument("--delay", type=float, default=0.25, help="seconds the stub takes per answer")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="checker-bench-"))
    settings = Settings(store=work / "store")
    store = open_store(settings.store, None, settings.collection_prefix)
    ingest([ROOT / "corpus"], store, settings)
    # A long source article: all five seeds' sentences as claims of one, checked against Yahoo News.
    articles = [store.get_article(a.id).article for a in store.articles()]
    combined_text = "\n\n".join(a.text for a in articles)
    source = articles[0].model_copy(update={"id": "bench-source", "text": combined_text})
    other = next(a for a in articles if a.outlet == "Yahoo News")

    rows = []
    with StubLLM(delay=args.delay) as stub:
        for concurrency in (1, 8, 32):
            results = Results(work / f"results-{concurrency}.db")
            asker = Asker(OpenAIChat("stub", None, stub.base_url, max_retries=0), results)
            started: list[float] = []
            before = len(stub.requests)
            comparison = compare(
                source,
                other,
                store,
                SentenceClaims(args.claims),
                LLMJudge(asker),
                results,
                CompareOptions(concurrency=concurrency),
                progress=lambda stage, done, total: started.append(time.perf_counter()) if (stage, done) == ("verdicts", 0) else None,  # noqa: B023 - this round's list
            )
            elapsed = time.perf_counter() - started[0]
            calls = len(stub.requests) - before
            ideal = calls * args.delay / concurrency
            rows.append((concurrency, len(comparison.results), calls, elapsed, len(comparison.results) / elapsed, ideal / elapsed))

        before = len(stub.requests)
        rerun = compare(
            source,
            other,
            store,
            SentenceClaims(args.claims),
            LLMJudge(Asker(OpenAIChat("stub", None, stub.base_url), results)),
            results,
            CompareOptions(concurrency=32),
        )
        rerun_calls = len(stub.requests) - before

    print(f"stub delay {args.delay} s per call, {args.claims} claims\n")
    print("| concurrency | claims judged | LLM calls | wall s | claims/s | ideal / measured |")
    print("|---:|---:|---:|---:|---:|---:|")
    for concurrency, judged, calls, elapsed, rate, ratio in rows:
        print(f"| {concurrency} | {judged} | {calls} | {elapsed:.2f} | {rate:.1f} | {ratio:.2f} |")
    print(f"\nsecond identical run: {rerun_calls} LLM calls ({len(rerun.results)} verdicts, all from the cache)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
