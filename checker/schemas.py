"""The records that flow through checker, from article to search hit.

These are plain pydantic models with no behaviour beyond validation, so every layer can
import them and the JSON output of the CLI is exactly their serialisation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

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
    text: str
    sha256: str = Field(description="SHA-256 of the cleaned text, for verifying quotes later.")

    @property
    def version(self) -> str:
        """A fingerprint of text and metadata: any change to either means re-indexing."""
        meta = self.model_dump(mode="json", exclude={"text", "source"})
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
