"""`check`: one claim against everything indexed, answered per outlet.

claim -> the articles whose passages are closest to it (over the whole index, or the articles
the user named; optionally one outlet, or reports since a date) -> one verdict per article, the
claim judged against that article's closest passages as `compare` judges it, through the stage
compare and report share -> per outlet, oldest report first. When reports disagree, the older side is marked ``superseded`` by the newer
one: the question a fact-checker asks is what the latest reporting says.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field

from checker.claims.llm_claims import not_a_claim
from checker.errors import InputError
from checker.judges.base import Judge
from checker.pipelines.stage import Stage, Task
from checker.schemas import Article, Claim, Evidence, Verdict, text_sha256
from checker.storage import embeddings
from checker.storage.results_base import ResultsStore
from checker.storage.store import Store

CLAIM_ID = "claim"


class ArticleVerdict(BaseModel):
    article_id: str
    outlet: str
    title: str
    published: dt.date | None
    verdict: Verdict
    superseded_by: str | None = Field(default=None, description="The newer report (article id) that disagrees with this one.")


class CheckResult(BaseModel):
    """The result of `checker check`: see docs/SCHEMA.md."""

    schema_version: Literal["checker.check/1"] = "checker.check/1"
    claim: str
    judge: str
    outlet: str | None = None
    since: dt.date | None = None
    articles: list[ArticleVerdict] = Field(default_factory=list)
    summary: dict[str, int] = Field(default_factory=dict)
    missing: str | None = Field(default=None, description="Why some articles were not judged (the budget ran out), if any were not.")


def claim_of(text: str) -> tuple[Claim, Article]:
    """The user's claim as a one-claim article with no date (so it is never 'superseded')."""
    text = " ".join(text.split())
    if not text:
        raise InputError("the claim is empty", "Give the claim as an argument, a file, or - for standard input")
    why = uncheckable(text)
    if why:
        raise InputError(f"the claim {text[:60]!r} {why}", 'Give a statement of fact, e.g. "Russian forces have withdrawn from Kyiv"')
    article = Article(id=CLAIM_ID, outlet="the claim", title="", text=text, sha256=text_sha256(text), published=None)
    claim = Claim(id=f"{CLAIM_ID}#0", article_id=CLAIM_ID, text=text, speaker="the claim", kind="event", start=0, end=len(text), source_text=text)
    return claim, article


def uncheckable(text: str) -> str | None:
    """Why ``text`` states nothing a report could support or contradict, else None: the rules
    the extractors apply to an article's sentences, applied to the user's claim."""
    if len(re.findall(r"[^\W\d_]{2,}", text)) < 2:
        return "states nothing to check (it needs at least two words)"
    why = not_a_claim(text)
    return f"is {why}, not a statement of fact" if why else None


def check(
    text: str,
    store: Store,
    judge: Judge,
    *,
    k: int = 4,
    outlet: str | None = None,
    since: dt.date | None = None,
    article_ids: list[str] | None = None,
    passages: int = 40,
    results: ResultsStore | None = None,
    concurrency: int = 4,
) -> CheckResult:
    """The claim against the articles closest to it (among ``article_ids`` when given), each
    judged as `compare` judges a claim: against that article's ``k`` closest passages, through
    the shared stage (stored verdicts reused, a few at a time, the run's budget)."""
    claim, source = claim_of(text)
    if store.count_chunks() == 0:
        raise InputError("the index is empty", "Ingest articles first (`checker ingest PATH`), or give files after the claim")
    vector = embeddings.embed([claim.text])[0]
    near = list(dict.fromkeys(hit.article_id for hit in store.search(vector, k=passages, outlet=outlet, article_ids=article_ids)))
    stored = store.get_articles(near)
    tasks = []
    for article_id in near:
        article = stored[article_id].article if article_id in stored else None
        if article is None or (since and (article.published is None or article.published < since)):
            continue
        hits = store.search(vector, k=k, article_ids=[article_id])
        evidence = [Evidence(chunk_id=h.chunk_id, text=h.text, start=h.start, end=h.end, score=h.score) for h in hits]
        tasks.append(Task(claim, source, article, evidence, target=f"passages:top{k}"))
    stage = Stage(results, concurrency)
    found = [
        ArticleVerdict(
            article_id=o.task.other.id, outlet=o.task.other.outlet, title=o.task.other.title, published=o.task.other.published, verdict=o.verdict
        )
        for o in stage.verdicts(tasks, judge)
        if o.verdict is not None
    ]
    found = mark_superseded(found)
    found.sort(key=lambda v: (v.outlet.lower(), v.published or dt.date.min, v.article_id))
    summary: Counter[str] = Counter(item.verdict.label for item in found)
    return CheckResult(claim=claim.text, judge=judge.name, outlet=outlet, since=since, articles=found, summary=dict(summary), missing=stage.stopped)


def mark_superseded(found: list[ArticleVerdict]) -> list[ArticleVerdict]:
    """Where dated reports disagree (one agrees with the claim, another contradicts it), the
    older side is ``superseded`` by the newest report of the other side."""
    decided = [v for v in found if v.verdict.label in ("agree", "contradict") and v.published]
    out = []
    for item in found:
        if item in decided:
            when = item.published or dt.date.min  # decided reports are dated
            newer = [v for v in decided if v.verdict.label != item.verdict.label and (v.published or dt.date.min) > when]
            if newer:
                latest = max(newer, key=lambda v: v.published or dt.date.min)
                note = f"a newer report ({latest.outlet}, {latest.published}) says otherwise: {latest.verdict.label}"
                item = item.model_copy(
                    update={
                        "superseded_by": latest.article_id,
                        "verdict": item.verdict.model_copy(update={"label": "superseded", "rationale": f"{item.verdict.rationale} ({note})".strip()}),
                    }
                )
        out.append(item)
    return out
