"""The records that flow through checker, from article to search hit.

These are plain pydantic models with no behaviour beyond validation, so every layer can
import them and the JSON output of the CLI is exactly their serialisation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field


class Article(BaseModel):
    """One cleaned news article. ``text`` is the cleaned body that all offsets point into."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id: from explicit metadata, the URL, or the source path.")
    outlet: str = Field(default="unknown", description="The publishing outlet, e.g. 'The Independent'.")
    title: str = ""
    published: dt.date | None = Field(default=None, description="Publication date, when known.")
    author: str | None = None
    url: str | None = None
    source: str = Field(default="", description="Where it was read from: a path, with '#N' for the Nth JSON record.")
    file: str | None = Field(default=None, description="The absolute path of the file it was read from, when it came from one.")
    text: str
    sha256: str = Field(description="SHA-256 of the cleaned text, for verifying quotes later.")

    @property
    def version(self) -> str:
        """A fingerprint of text and metadata: any change to either means re-indexing."""
        meta = self.model_dump(mode="json", exclude={"text", "source", "file"})
        return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:16]

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata as Chroma stores it (no None values allowed there)."""
        meta: dict[str, str | int] = {
            "article_id": self.id,
            "outlet": self.outlet,
            "title": self.title,
            "published": self.published.isoformat() if self.published else "",
            "author": self.author or "",
            "url": self.url or "",
            "source": self.source,
            "file": self.file or "",
            "sha256": self.sha256,
            "version": self.version,
        }
        return meta


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Chunk(BaseModel):
    """A passage of an article; ``text == article.text[start:end]`` always holds."""

    model_config = ConfigDict(frozen=True)

    id: str
    article_id: str
    index: int
    start: int
    end: int
    text: str


class ArticleSummary(BaseModel):
    """What `checker articles` lists: an indexed article without its text."""

    id: str
    outlet: str
    title: str
    published: dt.date | None
    author: str | None
    url: str | None
    source: str
    file: str | None = None
    chunks: int
    characters: int


class SearchHit(BaseModel):
    """A passage found by a search, with where it comes from and how close it is (0..1)."""

    chunk_id: str
    article_id: str
    outlet: str
    title: str
    published: dt.date | None
    start: int
    end: int
    text: str
    score: float


class IngestOutcome(BaseModel):
    """What happened to one input during an ingest."""

    source: str
    article_id: str | None = None
    status: str = Field(description="added | updated | unchanged | repaired | skipped")
    chunks: int = 0
    message: str | None = None


# -- comparison --------------------------------------------------------------------------

# The closed sets, spelled here once: what a judge may answer, and every label a verdict has
# (a judge that gives no valid answer yields `unscored`, never a guess).
JudgedLabel = Literal["agree", "contradict", "superseded", "not_addressed"]
Label = Literal["agree", "contradict", "superseded", "not_addressed", "unscored"]
JUDGED_LABELS: tuple[str, ...] = get_args(JudgedLabel)
LABELS: tuple[str, ...] = get_args(Label)
ClaimKind = Literal["event", "number", "quote", "assessment"]


class Claim(BaseModel):
    """One checkable statement of an article, located in its text (``text[start:end]``)."""

    id: str
    article_id: str
    text: str = Field(description="The claim, atomic and self-contained.")
    speaker: str = Field(description="Who asserts it: a named source, or the outlet itself.")
    when: str | None = Field(default=None, description="The date or period it is about.")
    kind: ClaimKind = "event"
    start: int = Field(description="Span of its source sentence in the article's cleaned text.")
    end: int
    source_text: str = Field(description="article.text[start:end]")


class Evidence(BaseModel):
    """A passage of the other article retrieved for a claim."""

    chunk_id: str
    text: str
    start: int
    end: int
    score: float


class Verdict(BaseModel):
    """What the other article says about a claim, and everything needed to audit it."""

    label: Label
    quote: str | None = Field(default=None, description="Verbatim from the other article; None if none or unverifiable.")
    quote_start: int | None = None
    quote_end: int | None = None
    quote_note: str | None = Field(default=None, description="Why a quote was dropped or adjusted.")
    rationale: str = ""
    confidence: float | None = None
    judge: str = Field(description="Which judge decided: 'llm' or 'nli'.")
    model: str | None = None
    prompt_sha: str | None = None
    raw: str | None = Field(default=None, description="The judge's raw output, kept for audit.")
    error: str | None = Field(default=None, description="Why the verdict is unscored, when it is.")


class ClaimResult(BaseModel):
    direction: Literal["a->b", "b->a"]
    claim: Claim
    evidence: list[Evidence]
    verdict: Verdict


class ArticleRef(BaseModel):
    """An article as a report names it."""

    id: str
    outlet: str
    title: str
    published: dt.date | None
    url: str | None = None


class Usage(BaseModel):
    calls: int = 0
    cached: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = Field(default=None, description="Estimated; None when the model's price is unknown.")
    seconds: float = 0.0
    screened_offline: int | None = Field(default=None, description="Cascade: pairs the offline judge screened.")
    sent_to_llm: int | None = Field(default=None, description="Cascade: of those, pairs sent on to the LLM.")


class Comparison(BaseModel):
    """The result of `checker compare`: see docs/SCHEMA.md. Fields are only ever added."""

    schema_version: Literal["checker.comparison/1"] = "checker.comparison/1"
    article_a: ArticleRef
    article_b: ArticleRef
    judge: str
    model: str | None = None
    endpoint: str | None = None
    prompts: dict[str, str] = Field(default_factory=dict, description="prompt name -> content hash")
    claims_dropped: int = Field(default=0, description="Extracted claims whose source sentence was not found in the article.")
    results: list[ClaimResult] = Field(default_factory=list)
    summary: dict[str, int] = Field(default_factory=dict)
    failures: list[str] = Field(
        default_factory=list, description="Why part of the comparison is missing: an article whose claims could not be extracted, with the reason."
    )
    usage: Usage = Field(default_factory=Usage)

    @property
    def judged(self) -> int:
        """Verdicts with a label (unscored ones are not judgements)."""
        return sum(r.verdict.label != "unscored" for r in self.results)
