"""The records of a consistency report (`checker report`): see docs/SCHEMA.md.

A report is data first: the JSON output is exactly ``Report``'s serialisation, and the
Markdown and HTML renderers read nothing else. Fields are only ever added.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from checker.schemas import ArticleRef, JudgedLabel, Usage, Verdict


class ReportArticle(ArticleRef):
    """An article as a comparison names it, with the text the report's offsets point into."""

    text: str = Field(description="The cleaned text that every offset in the report points into.")
    claims: int = Field(default=0, description="Claims extracted from it.")
    versions: int = Field(default=1, description="Text versions its page has had (read from the web): 2 or more, the outlet revised it.")
    copy_of: str | None = Field(default=None, description="The article whose text this one carries (a wire copy), if any.")


class Copies(BaseModel):
    """Articles of different outlets carrying (nearly) the same text: one source, not several.
    Their claims are never judged against each other, so copies never corroborate each other."""

    first: str = Field(description="Article id published first among them (unknown dates last).")
    members: list[str] = Field(description="Article ids, first published first.")
    outlets: list[str]
    shared: float = Field(description="Lowest share of a member's word 5-grams found in its copy (checker/articles/copies.py).")


class ReportClaim(BaseModel):
    id: str
    article_id: str
    outlet: str
    published: dt.date | None
    text: str
    speaker: str
    kind: str
    start: int = Field(description="Span of the claim's sentence in its article's text.")
    end: int


class Review(BaseModel):
    """A reviewer's decision on a verdict (`checker review`): confirmed, wrong (with the right
    label) or dismissed. Kept across runs; ``changed`` when an article changed since, so the
    decision is shown but no longer applied."""

    pair: str
    reviewer: str
    decision: Literal["confirmed", "wrong", "dismissed"]
    right_label: JudgedLabel | None = None
    note: str | None = None
    label: str = Field(description="The verdict's label when it was reviewed.")
    judge: str
    reviewed_at: dt.datetime
    changed: bool = Field(default=False, description="An article of the pair changed since the review: read it again.")

    @property
    def applies(self) -> bool:
        return not self.changed

    @property
    def removes(self) -> bool:
        """Whether the report leaves the pair out of its conflicts and counts."""
        return self.applies and self.decision in ("wrong", "dismissed")


class ClaimPair(BaseModel):
    """Two claims of different outlets close in meaning, judged once: the earlier report's
    claim against the later report's sentence (so a later report can supersede)."""

    id: str
    earlier: str = Field(description="Claim id of the earlier report (or the first by id when dates tie).")
    later: str
    similarity: float
    event: str | None = None
    verdict: Verdict | None = Field(default=None, description="None when the pair was not judged (see `missing`).")
    reused: bool = Field(default=False, description="The verdict was stored by an earlier run; no call was made.")
    missing: str | None = Field(default=None, description="Why there is no verdict: the budget ran out, or the judge failed.")
    review: Review | None = Field(default=None, description="The latest review of this pair, if any (added 2026-12-08).")


class Event(BaseModel):
    """Claims about the same thing, from two or more outlets."""

    id: str
    title: str = Field(description="The claim most connected to the others.")
    outlets: list[str]
    claims: list[str] = Field(description="Claim ids, oldest report first.")
    pairs: list[str]
    first: dt.date | None = None
    last: dt.date | None = None
    counts: dict[str, int] = Field(default_factory=dict, description="Verdict label -> pairs.")


class Conflict(BaseModel):
    pair: str
    event: str | None
    label: Literal["contradict", "superseded"]
    importance: float = Field(description="Share of the report's outlets that cover the event.")
    confidence: float
    score: float = Field(description="importance x confidence: the ranking key.")


# Fewer decided pairs than this between two outlets give no agreement figure: one agreeing pair
# is not "100% agreement".
MIN_DECIDED = 3


class OutletCell(BaseModel):
    """Verdicts between the claims of two outlets; ``agreement`` = agree / (agree + contradict),
    given only when at least MIN_DECIDED pairs were decided (None otherwise)."""

    a: str
    b: str
    counts: dict[str, int]
    agreement: float | None
    decided: int = Field(default=0, description="agree + contradict: the pairs the agreement figure is a share of.")


class Coverage(BaseModel):
    articles: int
    claims: int
    articles_without_claims: list[str] = Field(default_factory=list)
    cross_outlet_pairs: int = Field(description="Claim pairs across outlets: what judging all pairs would cost.")
    candidate_pairs: int = Field(description="Pairs of nearest claims (k per claim, above the similarity floor).")
    judged: int = Field(description="Candidate pairs with a verdict, new or reused.")
    decided: int = Field(default=0, description="Judged pairs labelled agree, contradict or superseded (the rest: not addressed).")
    reused: int
    skipped: int = Field(description="cross_outlet_pairs - candidate_pairs: never sent to a judge.")
    missing: int = Field(description="Candidate pairs left without a verdict (budget or judge failure).")
    stopped: str | None = Field(default=None, description="Why the run stopped early, if it did.")
    copy_pairs: int = Field(default=0, description="Candidate pairs between wire copies of one text: never judged, never counted.")
    failed_articles: dict[str, str] = Field(
        default_factory=dict, description="Articles whose claims could not be extracted: id -> why. Retried by the next run."
    )


class Report(BaseModel):
    schema_version: Literal["checker.report/1"] = "checker.report/1"
    generated: dt.datetime
    judge: str
    model: str | None = None
    endpoint: str | None = None
    prompts: dict[str, str] = Field(default_factory=dict)
    neighbours: int = Field(description="k: nearest claims from other outlets paired with each claim.")
    min_similarity: float
    articles: list[ReportArticle]
    claims: list[ReportClaim]
    pairs: list[ClaimPair]
    events: list[Event]
    conflicts: list[Conflict]
    matrix: list[OutletCell]
    copies: list[Copies] = Field(default_factory=list)
    reviewed_out: list[str] = Field(default_factory=list, description="Pairs a review marked wrong or dismissed: not in conflicts or counts.")
    new_only: bool = Field(default=False, description="Conflicts lists only pairs judged by this run (`--new-only`).")
    coverage: Coverage
    usage: Usage = Field(default_factory=Usage)

    @property
    def partial(self) -> bool:
        return self.coverage.missing > 0 or self.coverage.stopped is not None or bool(self.coverage.failed_articles)
