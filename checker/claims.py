"""Claim extraction: an article in, its checkable claims out, each located in the text.

Extractors are interchangeable (the LLM one here, an offline one later); each has a
``name`` that goes into cache keys, so claims from different extractors never mix.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar, Protocol

from pydantic import BaseModel, Field

from checker import prompts, quotes
from checker.asking import Asker
from checker.errors import ExtractionFailed
from checker.schemas import Article, Claim, ClaimKind

# Characters of article per extraction call: a long article is read in windows so the
# prompt stays well inside small models' context.
WINDOW_CHARS = 6000


class ExtractedClaim(BaseModel):
    claim: str = Field(description="One atomic, self-contained factual claim.")
    source_sentence: str = Field(description="The article sentence it comes from, copied exactly.")
    speaker: str = Field(description="Who asserts it: a named source, or the outlet itself.")
    when: str | None = Field(description="Date (YYYY-MM-DD) or period the claim is about; null if unknown.")
    kind: ClaimKind = Field(description="event, number, quote or assessment.")


class ExtractedClaims(BaseModel):
    claims: list[ExtractedClaim]

    max_output_tokens: ClassVar[int] = 2000


class Extractor(Protocol):
    name: str

    def extract(self, article: Article) -> tuple[list[Claim], int]:
        """The article's claims, and how many proposed claims were dropped as unverifiable."""
        ...


def claim_id(article_id: str, text: str) -> str:
    return f"{article_id}#{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10]}"


def make_claim(article: Article, text: str, source: str, speaker: str, when: str | None, kind: ClaimKind) -> Claim | None:
    """A claim located in the article, or None if neither its source sentence nor the
    claim itself (models sometimes copy the sentence as the claim) is found verbatim."""
    span = quotes.locate(source, article.text) or quotes.locate(text, article.text)
    if span is None or not text.strip():
        return None
    return Claim(
        id=claim_id(article.id, text.strip()),
        article_id=article.id,
        text=text.strip(),
        speaker=speaker.strip() or article.outlet,
        when=when or (article.published.isoformat() if article.published else None),
        kind=kind,
        start=span[0],
        end=span[1],
        source_text=article.text[span[0]:span[1]],
    )


class LLMExtractor:
    def __init__(self, asker: Asker, max_claims: int = 20) -> None:
        self.asker = asker
        self.prompt = prompts.load("extract_claims")
        self.max_claims = max_claims
        self.name = f"llm:{asker.model.model}:{self.prompt.sha}:{max_claims}"

    def extract(self, article: Article) -> tuple[list[Claim], int]:
        claims: dict[str, Claim] = {}
        dropped = 0
        windows = _windows(article.text, WINDOW_CHARS)
        per_window = max(3, -(-self.max_claims // len(windows)))
        for window in windows:
            messages = self.prompt.render(
                outlet=article.outlet, title=article.title, text=window, max_claims=per_window,
                published=article.published.isoformat() if article.published else "unknown")
            answer = self.asker.ask(messages, ExtractedClaims)
            if answer.value is None:
                # A failed window fails the article: claims from the other windows alone would
                # be stored as if they were all of them. Answers already received are cached,
                # so the next run pays only for what failed.
                raise ExtractionFailed(f"{article.id}: claim extraction failed ({answer.error})",
                                       _fix(self.asker.model.endpoint))
            for item in answer.value.claims:
                claim = make_claim(article, item.claim, item.source_sentence, item.speaker, item.when, item.kind)
                if claim is None:
                    dropped += 1
                else:
                    claims.setdefault(claim.id, claim)
        return list(claims.values())[: self.max_claims], dropped


def _fix(endpoint: str) -> str:
    return f"Is the LLM server running at {endpoint}? Fix it and run the same command again: failed articles are retried"


def _windows(text: str, size: int) -> list[str]:
    """Consecutive slices of whole paragraphs, each at most ``size`` characters if possible."""
    windows: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        if current and len(current) + len(paragraph) + 2 > size:
            windows.append(current)
            current = paragraph
        else:
            current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        windows.append(current)
    return windows or [text]
