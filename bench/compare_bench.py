"""Judging throughput against a stub LLM with a fixed delay, and the calls a rerun makes.

    .venv/bin/python bench/compare_bench.py [--claims 64] [--delay 0.25] [--stub process|thread]

The stub (tests/stub_llm.py, on 127.0.0.1, in a process of its own unless --stub thread)
answers every request validly after `delay` seconds, so the ideal time to judge N claims at concurrency C is N x delay / C. For C in 1,
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
from checker.storage.sqlite_results import SQLiteResults  # noqa: E402
from checker.storage.store import open_store  # noqa: E402
from tests.stub_llm import StubLLM, StubProcess  # noqa: E402

SENTENCE = re.compile(r"[^.!?\n]{40,}[.!?]")


class SentenceClaims:
    """Every sentence of the article is a claim: a fixed workload with no LLM call."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.name = f"bench-sentences:{limit}"

    def extract(self, article: Article) -> tuple[list[Claim], int]:
        claims = [c for c in (make_claim(article, s.strip(), s.strip(), article.outlet, None, "event") for s in SENTENCE.findall(article.text)) if c]
        # More claims than sentences (119 in the sample corpus): the sentences again, each
        # numbered, so every claim is still a request of its own.
        rounds = -(-self.limit // len(claims))
        more = [c.model_copy(update={"id": f"{c.id}-{r}", "text": f"{c.text} ({r})"}) for r in range(2, rounds + 1) for c in claims]
        return (claims + more)[: self.limit], 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=64)
    parser.add_argument("--delay", type=float, default=0.25, help="seconds the stub takes per answer")
    parser.add_argument(
        "--stub",
        choices=["process", "thread"],
        default="process",
        help="the stub in a process of its own, as a real endpoint is (default), or on a thread of this one (the figures before 2026-12-02)",
    )
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
    stub_server = StubProcess(args.delay) if args.stub == "process" else StubLLM(delay=args.delay)
    with stub_server as stub:
        for concurrency in (1, 8, 32):
            results = SQLiteResults(work / f"results-{concurrency}.db")
            asker = Asker(OpenAIChat("stub", None, stub.base_url, max_retries=0), results)
            started: list[float] = []
            before = stub.request_count
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
            calls = stub.request_count - before
            ideal = calls * args.delay / concurrency
            rows.append((concurrency, len(comparison.results), calls, elapsed, len(comparison.results) / elapsed, ideal / elapsed))

        before = stub.request_count
        rerun = compare(
            source,
            other,
            store,
            SentenceClaims(args.claims),
            LLMJudge(Asker(OpenAIChat("stub", None, stub.base_url), results)),
            results,
            CompareOptions(concurrency=32),
        )
        rerun_calls = stub.request_count - before

    print(f"stub delay {args.delay} s per call, {args.claims} claims, stub on a {args.stub} of its own\n")
    print("| concurrency | claims judged | LLM calls | wall s | claims/s | ideal / measured |")
    print("|---:|---:|---:|---:|---:|---:|")
    for concurrency, judged, calls, elapsed, rate, ratio in rows:
        print(f"| {concurrency} | {judged} | {calls} | {elapsed:.2f} | {rate:.1f} | {ratio:.2f} |")
    print(f"\nsecond identical run: {rerun_calls} LLM calls ({len(rerun.results)} verdicts, all from the cache)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
