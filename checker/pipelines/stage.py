"""The stage `compare` and `report` share: each article's claims, then each claim's verdict
against another article, judged a few at a time and stored as each one finishes.

Claims are extracted once per article version and extractor. A verdict is stored under one
key: the claim and the version of its article, what it was judged against (``target``: the
other article's retrieved passages in `compare`, one claim of the other article in `report`),
the other article's version, and the judge. A rerun reuses every stored verdict whose key
still holds, so it judges only what is new or changed, and a corrected date (a new article
version) is judged again: it can turn a contradiction into a supersession. An ``unscored``
verdict is not stored, so the next run tries it again.

One failure rule for both commands:
- a refused budget (BudgetReached) stops new calls; what was not started is reported missing;
- an article whose claims cannot be extracted is reported, and the other articles go on;
- any other failure (Ctrl-C in a worker, a bug) stops new calls, lets the calls in flight
  finish and be stored, then is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from checker.claims.base import Extractor
from checker.errors import ExtractionFailed
from checker.judges.base import Judge
from checker.llm.asking import BudgetReached
from checker.pipelines.pool import as_finished
from checker.schemas import Article, Claim, Evidence, Verdict
from checker.storage.results_base import ResultsStore, VerdictKey

# (stage, done, total): stages are "claims" and "verdicts".
Progress = Callable[[str, int, int], None]


def claims_of(article: Article, extractor: Extractor, results: ResultsStore | None) -> tuple[list[Claim], int]:
    """The article's claims and how many the extractor dropped, extracted once per article version and extractor."""
    if results is not None:
        stored = results.claims(article.id, article.sha256, extractor.name)
        if stored is not None:
            return [Claim.model_validate(c) for c in stored[0]], stored[1]
    claims, dropped = extractor.extract(article)
    if results is not None and claims:
        results.store_claims(article.id, article.sha256, extractor.name, [c.model_dump(mode="json") for c in claims], dropped)
    return claims, dropped


@dataclass
class Task:
    """One claim of ``source`` to judge against ``evidence`` from ``other``."""

    claim: Claim
    source: Article
    other: Article
    evidence: list[Evidence]
    target: str  # what the claim is judged against: part of the stored verdict's key
    similarity: float | None = None  # report: how close the two claims are; kept with the verdict
    note: dict[str, Any] | None = None  # more to keep with the verdict (report: the later claim it named)

    @property
    def key(self) -> VerdictKey:
        return VerdictKey(self.claim.id, self.source.version, self.target, self.other.version)


@dataclass
class Outcome:
    task: Task
    verdict: Verdict | None = None
    problem: str | None = None  # why there is no verdict (the budget ran out)
    reused: bool = False  # read back from an earlier run's stored verdict


class Stage:
    """Claims and verdicts for one run, with its progress and what stopped or failed."""

    def __init__(self, results: ResultsStore | None, concurrency: int, progress: Progress | None = None) -> None:
        self.results = results
        self.concurrency = concurrency
        self.progress = progress or (lambda stage, done, total: None)
        self.stopped: str | None = None  # why new calls stopped (the budget), if they did
        self.failed: dict[str, str] = {}  # article id -> why its claims could not be extracted
        self.dropped = 0  # claims the extractor could not locate in their article

    def claims(self, articles: Sequence[Article], extractor: Extractor) -> dict[str, list[Claim]]:
        """Each article's claims ([] where extraction failed or was never started)."""

        def one(article: Article) -> tuple[list[Claim], int]:
            return claims_of(article, extractor, self.results)

        found: dict[str, list[Claim]] = {}
        for article, outcome, _problem in self._pool(one, list(articles), "claims"):
            if outcome is None:
                found[article.id] = []
                continue
            claims, dropped = outcome
            self.dropped += dropped
            found[article.id] = list({c.id: c for c in claims}.values())  # the same sentence twice is one claim
        return found

    def verdicts(self, tasks: Sequence[Task], judge: Judge) -> list[Outcome]:
        """A verdict (or why there is none) for every task, in the tasks' order."""
        stored = self.results.verdicts(judge.name, [t.key for t in tasks]) if self.results is not None else {}
        outcomes = [Outcome(t) for t in tasks]
        todo: list[Outcome] = []
        for outcome in outcomes:
            hit = stored.get(outcome.task.key)
            if hit is not None:
                outcome.verdict, outcome.reused = Verdict.model_validate(hit["verdict"]), True
            else:
                todo.append(outcome)

        def one(outcome: Outcome) -> Verdict:
            task = outcome.task
            return judge.judge(task.claim, task.source, task.other, task.evidence)

        for outcome, verdict, problem in self._pool(one, todo, "verdicts"):
            if verdict is None:
                outcome.problem = problem
                continue
            outcome.verdict = verdict
            if self.results is not None and verdict.label != "unscored":
                task = outcome.task
                result: dict[str, Any] = {"verdict": verdict.model_dump(mode="json"), "similarity": task.similarity, **(task.note or {})}
                self.results.store_verdict(judge.name, task.key, task.other.id, result)
        return outcomes

    def _pool(self, work: Callable[[Any], Any], items: list[Any], stage: str) -> Iterator[tuple[Any, Any, str | None]]:
        """``work`` on each item a few at a time, yielding (item, result or None, problem)."""
        self.progress(stage, 0, len(items))
        verb = "not extracted" if stage == "claims" else "not judged"
        failure: BaseException | None = None
        done = 0
        stop = lambda: failure is not None or self.stopped is not None  # noqa: E731 - reads both as they are now
        for item, future in as_finished(work, items, self.concurrency, stop=stop, name=stage):
            if future is None:  # never started: the budget ran out, or a failure is about to be raised
                yield item, None, f"{verb}: {self.stopped}" if self.stopped else "not started"
                continue
            try:
                result = future.result()
            except BudgetReached as exc:
                self.stopped = self.stopped or str(exc)
                yield item, None, f"{verb}: {exc}"
                continue
            except ExtractionFailed as exc:
                # Nothing is stored for the article, so the next run tries it again.
                self.failed[item.id] = exc.one_line()
                yield item, None, exc.one_line()
                continue
            except BaseException as exc:
                failure = failure or exc
                continue
            done += 1
            self.progress(stage, done, len(items))
            yield item, result, None
        if failure is not None:
            raise failure
