"""`compare`: every claim of article A against article B (and back with ``both_ways``).

claims of A -> for each, the top-k passages of B from Chroma -> a verdict from the judge.
Claims and verdicts come from the stage report shares (checker/pipelines/stage.py): judged
a few at a time, each stored as soon as it is finished under the two article versions, so an
interrupted run keeps its work and a rerun judges only what changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from checker.claims.base import Extractor
from checker.judges.base import Judge
from checker.pipelines.judging import Judging
from checker.pipelines.stage import Progress, Stage, Task
from checker.schemas import LABELS, Article, ArticleRef, Claim, ClaimResult, Comparison, Evidence, Usage
from checker.storage import embeddings
from checker.storage.results_base import ResultsStore
from checker.storage.store import Store

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


@dataclass
class CompareOptions:
    top_k: int = 4
    both_ways: bool = False
    concurrency: int = 4


def article_ref(article: Article) -> ArticleRef:
    return ArticleRef(id=article.id, outlet=article.outlet, title=article.title, published=article.published, url=article.url)


def evidence_for(claims: list[Claim], other: Article, store: Store, k: int, vectors: np.ndarray | None = None) -> list[list[Evidence]]:
    """Each claim's ``k`` closest passages of ``other``: what the judge sees of it (compare,
    check and report all retrieve this way, so they judge a claim against the same words)."""
    if not claims:
        return []
    vectors = embeddings.embed([c.text for c in claims]) if vectors is None else vectors
    return [
        [Evidence(chunk_id=h.chunk_id, text=h.text, start=h.start, end=h.end, score=h.score) for h in hits]
        for hits in store.search_many(list(vectors), k=k, article_ids=[other.id])
    ]


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
    results: ResultsStore | None,
    options: CompareOptions,
    progress: Progress | None = None,
    usage: Callable[[], Usage] | None = None,
) -> Comparison:
    directions: list[tuple[Literal["a->b", "b->a"], Article, Article]] = [("a->b", article_a, article_b)]
    if options.both_ways:
        directions.append(("b->a", article_b, article_a))

    stage = Stage(results, options.concurrency, progress)
    claims = stage.claims([source for _, source, _ in directions], extractor)
    tasks: list[Task] = []
    direction_of: list[Literal["a->b", "b->a"]] = []
    for direction, source, other in directions:
        found = claims[source.id]
        # The claim is judged against the other article's k closest passages: k is part of the key.
        for claim, evidence in zip(found, evidence_for(found, other, store, options.top_k) if found else []):
            tasks.append(Task(claim, source, other, evidence, target=f"passages:top{options.top_k}"))
            direction_of.append(direction)
    outcomes = stage.verdicts(tasks, judge)

    finished = [
        ClaimResult(direction=direction, claim=o.task.claim, evidence=o.task.evidence, verdict=o.verdict)
        for direction, o in zip(direction_of, outcomes)
        if o.verdict is not None
    ]
    # The other direction may still be judged when one article's claims could not be
    # extracted; the output says what is missing and why.
    failures = [stage.failed[source.id] for _, source, _ in directions if source.id in stage.failed]
    missing = [o.problem for o in outcomes if o.verdict is None and o.problem]
    if missing:
        failures.append(f"{len(missing)} claims {missing[0]}")
    ordered = sorted(finished, key=importance)
    counts: Counter[str] = Counter(r.verdict.label for r in ordered)
    return Comparison(
        article_a=article_ref(article_a),
        article_b=article_ref(article_b),
        judge=judge.name,
        claims_dropped=stage.dropped,
        results=ordered,
        summary={label: counts.get(label, 0) for label in LABELS},
        failures=failures,
        usage=usage() if usage else Usage(),
    )


def compare_with(
    judging: Judging,
    article_a: Article,
    article_b: Article,
    store: Store,
    results: ResultsStore | None,
    options: CompareOptions,
    progress: Progress | None = None,
) -> Comparison:
    """``compare`` with the run's extractor and judge, its result naming who judged and how
    (model, endpoint, prompt hashes), as a report names them: the pipeline fills them in, not the CLI."""
    comparison = compare(article_a, article_b, store, judging.extractor, judging.judge, results, options, progress, judging.usage)
    return comparison.model_copy(update={"model": judging.model, "endpoint": judging.endpoint, "prompts": judging.prompts})
