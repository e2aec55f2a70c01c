"""How close `report --dry-run` comes to the run it estimates: calls and tokens, estimated, then paid.

    .venv/bin/python bench/dryrun_bench.py [--size 1000] [--concurrency 8] [--stub-claims 3|every]
    .venv/bin/python bench/dryrun_bench.py --base-url http://127.0.0.1:8080/v1 --model NAME

The LLM is the stub server (tests/stub_llm.py on 127.0.0.1), counting tokens with a real
tokenizer over what it is sent and what it answers, as servers bill: --tokenizer qwen
(default; Qwen2.5's byte-level BPE, read from the GGUF the project fetches, close to GPT-class
tokenizers) or wordpiece (MiniLM's, the figures before 2026-12-02, which counts JSON at over
twice a BPE's tokens). The estimate counts four characters a token. How many claims the stub extracts is set by
--stub-claims: `every` sentence of 40 characters or more (default; about what a real model
claims on news: Qwen2.5-Coder-1.5B's recorded answers on the article-pair suite give 78
claims for 87 sentences shown), or a fixed `3` per article (the figures before 2026-12-02).
Each corpus is measured twice:

- cold: a fresh store, the extractor has read nothing (the estimate assumes one claim per
  checkable sentence, at most --max-claims);
- warm: the same extractor has already read other articles in this store (for the benchmark
  corpus, its first 90% were reported before; for the sample corpus, the benchmark corpus was),
  so the estimate knows its claims per article.

Corpora: the five sample articles (corpus/), and --size real news texts from
../shared/datasets as bench/report_bench.py builds them. For each: the estimate (nothing
written, no call), then the real report on the same store, and the ratio real / estimate.

With --base-url and --model the LLM is a real server instead (a local model behind
`python -m tests.llm_server --serve PORT`): the sample corpus, cold, at concurrency 1, its
tokens as the server counts them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass
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
from checker.storage.results import open_results  # noqa: E402
from checker.storage.results_base import ResultsStore  # noqa: E402
from checker.storage.store import open_store  # noqa: E402
from tests.stub_llm import StubLLM  # noqa: E402

WORK = ROOT / "bench" / ".work" / "dryrun"


@dataclass
class Server:
    """Where the LLM answers: the stub (which counts its requests) or a real server."""

    base_url: str
    model: str = "stub"
    stub: StubLLM | None = None

    def requests(self, judging: Judging) -> int:
        if self.stub is not None:
            return len(self.stub.requests)
        usage = judging.usage()
        return usage.calls + usage.failed


def judging_for(server: Server, results: ResultsStore) -> Judging:
    # A real local server answers one request at a time: a call may wait behind the others.
    chat = OpenAIChat(server.model, None, server.base_url, max_retries=0, timeout=60 if server.stub else 600)
    asker = Asker(chat, results)
    return Judging("llm", LLMExtractor(asker), LLMJudge(asker), asker, server.model, server.base_url, {})


def estimate(folders: list[Path], store_dir: Path, server: Server) -> dict[str, float]:
    settings = Settings(store=store_dir)
    articles, _ = read_articles(folders, settings)
    results = open_results(settings.results_location, read_only=True)
    judging = judging_for(server, results)
    before = server.requests(judging)
    started = time.perf_counter()
    found = estimate_report(articles, judging, results, settings, 3, 0.5)
    seconds = time.perf_counter() - started
    assert server.requests(judging) == before, "a dry run called the LLM"
    return {
        "articles": found.articles,
        "claims": found.claims_known + found.claims_estimated,
        "pairs": found.pairs,
        "calls": found.calls,
        "input_tokens": found.input_tokens,
        "output_tokens": found.output_tokens,
        "seconds": round(seconds, 1),
    }


def real(folders: list[Path], store_dir: Path, server: Server, concurrency: int) -> dict[str, float]:
    settings = Settings(store=store_dir)
    store = open_store(settings.store, None, settings.collection_prefix)
    outcome = ingest(folders, store, settings)
    articles = [s.article for s in store.get_articles([o.article_id for o in outcome.outcomes if o.article_id]).values()]
    results = open_results(settings.results_location)
    judging = judging_for(server, results)
    before = server.requests(judging)
    started = time.perf_counter()
    report = build_report(articles, store, judging, results, ReportOptions(concurrency=concurrency))
    usage = judging.usage()
    results.close()
    return {
        "articles": report.coverage.articles,
        "claims": report.coverage.claims,
        "pairs": report.coverage.candidate_pairs,
        "calls": server.requests(judging) - before,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "seconds": round(time.perf_counter() - started, 1),
    }


def measure(name: str, folders: list[Path], store_dir: Path, server: Server, concurrency: int) -> dict:
    guess = estimate(folders, store_dir, server)
    paid = real(folders, store_dir, server, concurrency)
    ratio = {k: round(paid[k] / guess[k], 3) if guess[k] else None for k in ("claims", "pairs", "calls", "input_tokens", "output_tokens")}
    total = (paid["input_tokens"] + paid["output_tokens"]) / max(1, guess["input_tokens"] + guess["output_tokens"])
    row = {"case": name, "estimate": guess, "real": paid, "real/estimate": ratio | {"tokens": round(total, 3)}}
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--stub-claims", choices=["every", "3"], default="every", help="claims per article the stub extracts")
    parser.add_argument("--cases", choices=["all", "warm"], default="all", help="warm: skip the two cold cases")
    parser.add_argument("--tokenizer", choices=["qwen", "wordpiece"], default="qwen", help="what the stub counts tokens with")
    parser.add_argument("--base-url", help="a real OpenAI-compatible server instead of the stub (sample corpus, cold only)")
    parser.add_argument("--model", default="stub", help="the model name the server serves")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    if args.base_url:
        row = measure("sample corpus, cold", [ROOT / "corpus"], WORK / "store-sample", Server(args.base_url, args.model), 1)
        (WORK / "results.json").write_text(json.dumps([row], indent=2) + "\n")
        return
    texts = bodies()[: args.size]
    head, tail = WORK / "bench-head", WORK / "bench-tail"
    write_corpus(head, texts[: len(texts) * 9 // 10])
    # The last tenth, numbered on from the head so ids, outlets and dates continue.
    write_corpus(tail, texts)
    lines = (tail / "articles.jsonl").read_text(encoding="utf-8").splitlines()[len(texts) * 9 // 10 :]
    (tail / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    rows = []
    with StubLLM(count_tokens=args.tokenizer, claims_per_article=None if args.stub_claims == "every" else 3) as stub:
        server = Server(stub.base_url, stub=stub)
        if args.cases == "all":
            rows.append(measure("sample corpus, cold", [ROOT / "corpus"], WORK / "store-sample", server, args.concurrency))
            rows.append(measure(f"{len(texts)} articles, cold", [head, tail], WORK / "store-cold", server, args.concurrency))
        # Warm: the first 90% reported, then the whole corpus (the new tenth and its pairs).
        real([head], WORK / "store-warm", server, args.concurrency)
        rows.append(measure(f"{len(texts)} articles, warm (last 10% new)", [head, tail], WORK / "store-warm", server, args.concurrency))
        rows.append(measure("sample corpus, warm", [ROOT / "corpus"], WORK / "store-warm", server, args.concurrency))
    (WORK / "results.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
