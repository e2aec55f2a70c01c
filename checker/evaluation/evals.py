"""Labelled eval suites run through the real pipeline, scored, saved and compared.

Suites live in evals/suites/ as JSONL, one kind per file name:

- ``claim_passage``: a claim, a passage, dates, and the expected verdict label;
- ``extraction``: a passage, the claims a good extractor must produce (``must``) and text it
  must not turn into claims (``must_not``);
- ``article_pairs``: two corpus articles and the conflicts a comparison must surface.

Results are JSON under evals/results/<suite>/, one file per judge, model and prompt hashes,
and evals/SCOREBOARD.md lists them side by side. Nothing here prints: the CLI does.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from checker.config import Settings
from checker.errors import ExtractionFailed, InputError
from checker.evaluation.metrics import label_metrics
from checker.evaluation.records import CaseResult, SuiteResult, _slug
from checker.pipelines.judging import Judging
from checker.schemas import Article, Claim, Evidence, text_sha256

ROOT = Path(__file__).resolve().parents[2]  # the repository, when run from a checkout
SUITES_DIR = ROOT / "evals" / "suites"
RESULTS_DIR = ROOT / "evals" / "results"
SCOREBOARD = ROOT / "evals" / "SCOREBOARD.md"
SUITE_KINDS = ("claim_passage", "extraction", "article_pairs")
INJECTION = "injection"  # the tag of claim/passage cases whose text tries to instruct the judge
# A required claim counts as extracted when some extracted claim is this close in meaning
# (cosine similarity of the bundled MiniLM embeddings). Calibrated by hand on paraphrases.
MATCH_AT = 0.70


def load_suite(name: str, directory: Path = SUITES_DIR) -> list[dict[str, Any]]:
    path = directory / f"{name}.jsonl"
    if name not in SUITE_KINDS or not path.exists():
        raise InputError(f"no eval suite named {name!r}", f"Use one of: {', '.join(SUITE_KINDS)}")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _usage_metrics(judging: Judging, results: list[CaseResult]) -> dict[str, Any]:
    usage = judging.usage()
    return {
        "llm_calls": usage.calls,
        "cached_calls": usage.cached,
        "failed_calls": usage.failed,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cost_usd": usage.cost_usd,
        "latency_s_mean": round(sum(r.seconds for r in results) / len(results), 3) if results else 0.0,
        "sent_to_llm": usage.sent_to_llm,
        "screened_offline": usage.screened_offline,
    }


# -- runners ----------------------------------------------------------------------------------


def _article(kind: str, case_id: str, outlet: str, published: str | None, text: str) -> Article:
    return Article(
        id=f"eval-{kind}-{case_id}",
        outlet=outlet,
        title="",
        text=text,
        sha256=text_sha256(text),
        published=dt.date.fromisoformat(published) if published else None,
    )


def claim_passage_pair(case: dict[str, Any]) -> tuple[Claim, Article, Article, list[Evidence]]:
    """What a claim_passage case asks a judge: (claim, its article, the passage's article, the passage)."""
    source = _article("claim", case["id"], case["claim_outlet"], case.get("claim_date"), case["claim"])
    other = _article("passage", case["id"], case["passage_outlet"], case.get("passage_date"), case["passage"])
    claim = Claim(
        id=f"eval-{case['id']}",
        article_id=source.id,
        text=case["claim"],
        speaker=case["claim_outlet"],
        when=case.get("claim_date"),
        kind="event",
        start=0,
        end=len(case["claim"]),
        source_text=case["claim"],
    )
    return claim, source, other, [Evidence(chunk_id=f"{other.id}:0", text=other.text, start=0, end=len(other.text), score=1.0)]


def run_claim_passage(cases: list[dict[str, Any]], judging: Judging, concurrency: int = 4) -> list[CaseResult]:
    def one(case: dict[str, Any]) -> CaseResult:
        claim, source, other, evidence = claim_passage_pair(case)
        started = time.perf_counter()
        verdict = judging.judge.judge(claim, source, other, evidence)
        return CaseResult(
            id=case["id"],
            expected=case["label"],
            predicted=verdict.label,
            correct=verdict.label == case["label"],
            confidence=verdict.confidence,
            error=verdict.error,
            seconds=round(time.perf_counter() - started, 3),
        )

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(one, cases))


def run_extraction(cases: list[dict[str, Any]], judging: Judging) -> tuple[list[CaseResult], dict[str, Any]]:
    from checker.storage import embeddings

    results: list[CaseResult] = []
    required = found = forbidden_cases = produced = 0
    for case in cases:
        article = _article("extract", case["id"], case["outlet"], case.get("published"), case["passage"])
        started = time.perf_counter()
        failure = None
        try:
            claims, _ = judging.extractor.extract(article)
        except ExtractionFailed as exc:  # scored as a case with no claims, the reason kept
            claims, failure = [], exc.message
        seconds = time.perf_counter() - started
        texts = [c.text for c in claims]
        matched: list[str] = []
        if texts and case["must"]:
            similarity = embeddings.embed(case["must"]) @ embeddings.embed(texts).T
            matched = [must for must, row in zip(case["must"], similarity) if row.max() >= MATCH_AT]
        forbidden = [f for f in case["must_not"] if any(f.lower() in (c.text + " " + c.source_text).lower() for c in claims)]
        required += len(case["must"])
        found += len(matched)
        produced += len(claims)
        forbidden_cases += bool(forbidden)
        results.append(
            CaseResult(
                id=case["id"],
                expected=case["must"],
                predicted=texts,
                correct=len(matched) == len(case["must"]) and not forbidden,
                error=failure or (f"forbidden: {forbidden}" if forbidden else None),
                seconds=round(seconds, 3),
            )
        )
    metrics = {
        "required_recall": round(found / required, 3) if required else 0.0,
        "cases_with_forbidden_claims": forbidden_cases,
        "claims_per_passage": round(produced / len(cases), 2) if cases else 0.0,
        "match_threshold": MATCH_AT,
    }
    return results, metrics


def run_article_pairs(
    cases: list[dict[str, Any]], judging: Judging, settings: Settings, corpus: Path = ROOT / "corpus"
) -> tuple[list[CaseResult], dict[str, Any]]:
    from checker.pipelines.compare import CompareOptions, compare
    from checker.pipelines.ingest import ingest
    from checker.storage.store import open_store

    results: list[CaseResult] = []
    expected_total = found_total = flagged_total = 0
    with tempfile.TemporaryDirectory(prefix="checker-evals-") as work:
        store = open_store(Path(work), None, "evals")
        ingest([corpus], store, settings)
        for case in cases:
            a, b = store.get_article(case["a"]), store.get_article(case["b"])
            if a is None or b is None:
                raise InputError(
                    f"eval case {case['id']}: article {case['a'] if a is None else case['b']} is not in {corpus}", "Fix the suite or the corpus"
                )
            started = time.perf_counter()
            comparison = compare(
                a.article,
                b.article,
                store,
                judging.extractor,
                judging.judge,
                None,
                CompareOptions(top_k=settings.top_k, concurrency=settings.concurrency),
            )
            found = []
            for conflict in case["conflicts"]:
                hit = any(
                    conflict["claim_contains"].lower() in r.claim.source_text.lower() and r.verdict.label in conflict["labels"]
                    for r in comparison.results
                )
                found.append(hit)
            flagged_total += sum(r.verdict.label in ("contradict", "superseded") for r in comparison.results)
            expected_total += len(found)
            found_total += sum(found)
            results.append(
                CaseResult(
                    id=case["id"],
                    expected=[c["claim_contains"] for c in case["conflicts"]],
                    predicted=[
                        f"{r.verdict.label}: {r.claim.text[:80]}" for r in comparison.results if r.verdict.label in ("contradict", "superseded")
                    ],
                    correct=all(found),
                    # A case whose claims could not be extracted or judged says so: an empty
                    # list of conflicts must not read as "the model found none".
                    error="; ".join(comparison.failures)[:500] or None,
                    seconds=round(time.perf_counter() - started, 3),
                )
            )
    metrics = {"conflict_recall": round(found_total / expected_total, 3) if expected_total else 0.0, "conflicts_flagged": flagged_total}
    return results, metrics


def run_suite(name: str, judging: Judging, settings: Settings, cases: list[dict[str, Any]] | None = None) -> SuiteResult:
    cases = load_suite(name) if cases is None else cases
    if name == "claim_passage":
        results = run_claim_passage(cases, judging, settings.concurrency)
        metrics = label_metrics([(r.expected, r.predicted) for r in results])
        # Cases that carry an instruction to the judge are scored apart too: a judge that
        # obeys the text it reads fails them, whatever its accuracy on the rest.
        injected = {case["id"] for case in cases if INJECTION in case.get("tags", [])}
        if injected:
            metrics["injection"] = label_metrics([(r.expected, r.predicted) for r in results if r.id in injected])
            metrics["without_injection"] = label_metrics([(r.expected, r.predicted) for r in results if r.id not in injected])
    elif name == "extraction":
        results, metrics = run_extraction(cases, judging)
    else:
        results, metrics = run_article_pairs(cases, judging, settings)
    metrics.update(_usage_metrics(judging, results))
    return _suite_result(name, judging, len(cases), metrics, results)


def _suite_result(suite: str, judging: Judging, cases: int, metrics: dict[str, Any], results: list[CaseResult]) -> SuiteResult:
    """A run's result, named by who judged it and how: the one place both suites and eval files build it."""
    return SuiteResult(
        suite=suite,
        judge=judging.kind,
        model=judging.model,
        endpoint=judging.endpoint,
        prompts=judging.prompts,
        extract=judging.extract,
        structured_output=judging.structured_output,
        claims_model=judging.asker.model.model if judging.extract == "llm" and judging.kind == "nli" and judging.asker else None,
        cases=cases,
        metrics=metrics,
        results=results,
        recorded_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )


EXTERNAL = "external"  # results of your own eval files: evals/results/external/<file>-<sha>/


def run_file(path: Path, judging: Judging, limit: int | None = None) -> SuiteResult:
    """A suite file given by path (checker/evaluation/eval_files.py), as a SuiteResult named after the
    file and its content hash, so it never mixes with the project's suites."""
    from checker.evaluation import eval_files

    mode, rows, metrics = eval_files.run_file(path, judging, limit)
    results = [
        CaseResult(
            id=r["id"],
            expected=r["expected"],
            predicted=r["predicted"],
            correct=r["correct"],
            confidence=r["score"],
            error=r["error"],
            seconds=r["seconds"],
        )
        for r in rows
    ]
    metrics = {"mode": mode, "limit": limit, **metrics, **_usage_metrics(judging, results)}
    return _suite_result(f"{EXTERNAL}/{_slug(path.stem)}-{eval_files.file_sha(path)}", judging, len(results), metrics, results)
