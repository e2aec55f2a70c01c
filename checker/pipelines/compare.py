"""`compare`: every claim of article A against article B (and back with ``both_ways``).

claims of A -> for each, the top-k passages of B from Chroma -> a verdict from the judge.
Verdicts are judged concurrently (a bounded pool: calls are network-bound) and each is
stored as soon as it is finished, so an interrupted run keeps its work and a rerun, served
from the cache, costs no LLM calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from checker.claims.llm_claims import Extractor
from checker.errors import ExtractionFailed
from checker.judges.llm_judge import Judge
from checker.pipelines.pool import as_finished
from checker.schemas import LABELS, Article, ArticleRef, Claim, ClaimResult, Comparison, Evidence, Usage, Verdict
from checker.storage import embeddings
from checker.storage.results import Results
from checker.storage.store import Store

Progress = Callable[[int, int], None]


@dataclass
class CompareOptions:
    top_k: int = 4
    both_ways: bool = False
    concurrency: int = 4


def article_ref(article: Article) -> ArticleRef:
    return ArticleRef(id=article.id, outlet=article.outlet, title=article.title, published=article.published, url=article.url)


def claims_of(article: Article, extractor: Extractor, results: Results | None) -> tuple[list[Claim], int]:
    """The article's claims, extracted once per article version and extractor."""
    if results is not None:
        stored = results.claims(article.id, article.sha256, extractor.name)
        if stored is not None:
            return [Claim.model_validate(c) for c in stored[0]], stored[1]
    claims, dropped = extractor.extract(article)
    if results is not None and claims:
        results.store_claims(article.id, article.sha256, extractor.name, [c.model_dump(mode="json") for c in claims], dropped)
    return claims, dropped


def evidence_for(claims: list[Claim], other: Article, store: Store, k: int) -> list[list[Evidence]]:
    vectors = embeddings.embed([c.text for c in claims])
    found = []
    for vector in vectors:
        hits = store.search(vector, k=k, article_ids=[other.id])
        found.append([Evidence(chunk_id=h.chunk_id, text=h.text, start=h.start, end=h.end, score=h.score) for h in hits])
    return found


# What a fact-checker reads first: conflicts, then agreements, then failures, then silence.
READING_ORDER = {"contradict": 0, "superseded": 1, "agree": 2, "unscored": 3, "not_addressed": 4}


def importance(result: ClaimResult) -> tuple[int, float]:
    """Sort key of a verdict in every output: by label (READING_ORDER), surest first."""
    return READING_ORDER[result.verdict.label], -(result.verdict.confidence or 0.0)


def compare(
    article_a: Article,
    article_b: Article,
    store: Store,
    extractor: Extractor,
    judge: Judge,
    results: Results | None,
    options: CompareOptions,
    progress: Progress | None = None,
    usage: Callable[[], Usage] | None = None,
) -> Comparison:
    directions: list[tuple[Literal["a->b", "b->a"], Article, Article]] = [("a->b", article_a, article_b)]
    if options.both_ways:
        directions.append(("b->a", article_b, article_a))

    tasks: list[tuple[Literal["a->b", "b->a"], Claim, Article, Article, list[Evidence]]] = []
    dropped = 0
    failures: list[str] = []
    for direction, source, other in directions:
        try:
            claims, lost = claims_of(source, extractor, results)
        except ExtractionFailed as exc:
            # The other direction may still be judged; the output says what is missing and why.
            failures.append(exc.one_line())
            continue
        dropped += lost
        for claim, evidence in zip(claims, evidence_for(claims, other, store, options.top_k) if claims else []):
            tasks.append((direction, claim, source, other, evidence))

    def one(index: int) -> Verdict:
        _, claim, source, other, evidence = tasks[index]
        return judge.judge(claim, source, other, evidence)

    finished: dict[int, ClaimResult] = {}
    failure: BaseException | None = None
    if progress:
        progress(0, len(tasks))
    # A failed call (Ctrl-C in a worker, or a bug) stops new calls; the verdicts still in
    # flight are stored before it is raised. On Ctrl-C here, calls not yet started are
    # cancelled; finished verdicts are already stored.
    for index, future in as_finished(one, range(len(tasks)), options.concurrency, stop=lambda: failure is not None, name="judge"):  # noqa: B023 - reads the failure as it is now
        if future is None:
            continue
        direction, claim, source, other, evidence = tasks[index]
        try:
            verdict = future.result()
        except BaseException as exc:
            failure = failure or exc
            continue
        result = ClaimResult(direction=direction, claim=claim, evidence=evidence, verdict=verdict)
        if results is not None:
            results.store_verdict(claim.id, other.id, other.sha256, judge.name, result.model_dump(mode="json"))
        finished[index] = result
        if progress:
            progress(len(finished), len(tasks))
    if failure is not None:
        raise failure

    ordered = sorted((finished[i] for i in sorted(finished)), key=importance)
    counts: Counter[str] = Counter(r.verdict.label for r in ordered)
    return Comparison(
        article_a=article_ref(article_a),
        article_b=article_ref(article_b),
        judge=judge.name,
        claims_dropped=dropped,
        results=ordered,
        summary={label: counts.get(label, 0) for label in LABELS},
        failures=failures,
        usage=usage() if usage else Usage(),
    )
