"""`check`: one claim against everything indexed, answered per outlet.

claim -> its closest passages over the whole index (optionally one outlet, or reports since a
date) -> grouped by article -> one verdict per article from the judge -> per outlet, oldest
report first. When reports disagree, the older side is marked ``superseded`` by the newer
one: the question a fact-checker asks is what the latest reporting says.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from pydantic import BaseModel, Field

from checker.errors import InputError
from checker.judges.llm_judge import Judge
from checker.schemas import Article, Claim, Evidence, Verdict, text_sha256
from checker.storage import embeddings
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

    schema_version: str = "checker.pipelines.check/1"
    claim: str
    judge: str
    outlet: str | None = None
    since: dt.date | None = None
    articles: list[ArticleVerdict] = Field(default_factory=list)
    summary: dict[str, int] = Field(default_factory=dict)


def claim_of(text: str) -> tuple[Claim, Article]:
    """The user's claim as a one-claim article with no date (so it is never 'superseded')."""
    text = " ".join(text.split())
    if not text:
        raise InputError("the claim is empty", "Give the claim as an argument, a file, or - for standard input")
    article = Article(id=CLAIM_ID, outlet="the claim", title="", text=text, sha256=text_sha256(text), published=None)
    claim = Claim(id=f"{CLAIM_ID}#0", article_id=CLAIM_ID, text=text, speaker="the claim", kind="event", start=0, end=len(text), source_text=text)
    return claim, article


def check(
    text: str,
    store: Store,
    judge: Judge,
    *,
    k: int = 4,
    outlet: str | None = None,
    since: dt.date | None = None,
    passages: int = 40,
    judge_name: str = "",
) -> CheckResult:
    claim, source = claim_of(text)
    if store.count_chunks() == 0:
        raise InputError("the index is empty", "Ingest articles first (`checker ingest PATH`), or give files after the claim")
    hits = store.search(embeddings.embed([claim.text])[0], k=passages, outlet=outlet)
    by_article: dict[str, list[Evidence]] = defaultdict(list)
    for hit in hits:
        if len(by_article[hit.article_id]) < k:
            by_article[hit.article_id].append(Evidence(chunk_id=hit.chunk_id, text=hit.text, start=hit.start, end=hit.end, score=hit.score))
    stored = store.get_articles(list(by_article))
    found: list[ArticleVerdict] = []
    for article_id, evidence in by_article.items():
        article = stored[article_id].article if article_id in stored else None
        if article is None or (since and (article.published is None or article.published < since)):
            continue
        verdict = judge.judge(claim, source, article, evidence)
        found.append(ArticleVerdict(article_id=article.id, outlet=article.outlet, title=article.title, published=article.published, verdict=verdict))
    found = mark_superseded(found)
    found.sort(key=lambda v: (v.outlet.lower(), v.published or dt.date.min, v.article_id))
    summary: Counter[str] = Counter(item.verdict.label for item in found)
    return CheckResult(claim=claim.text, judge=judge_name, outlet=outlet, since=since, articles=found, summary=dict(summary))


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
