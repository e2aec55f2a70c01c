"""Claim extraction: an article in, its checkable claims out, each located in the text.

The LLM extractor; the interface every extractor shares is in checker.claims.base, and the
offline extractor (the clauses of checkable sentences) in checker.claims.offline_claims.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from checker.articles import numbered, quotes
from checker.articles.cleaning import boilerplate
from checker.claims.base import claim_id
from checker.errors import ExtractionFailed
from checker.llm import prompts
from checker.llm.asking import Asker, fault_hint
from checker.schemas import Article, Claim, ClaimKind

# Characters of article per extraction call: a long article is read in windows so the
# prompt stays well inside small models' context.
WINDOW_CHARS = 6000


class ExtractedClaim(BaseModel):
    claim: str = Field(description="One atomic, self-contained factual claim.")
    sentences: list[int] = Field(description="The number(s) of the article sentence(s) the claim comes from.")
    speaker: str = Field(description="Who asserts it: a named source, or the outlet itself.")
    when: str | None = Field(description="Date (YYYY-MM-DD) or period the claim is about; null if unknown.")
    kind: ClaimKind = Field(description="event, number, quote or assessment.")


class ExtractedClaims(BaseModel):
    claims: list[ExtractedClaim]

    max_output_tokens: ClassVar[int] = 2000

    @model_validator(mode="after")
    def _cites_shown_sentences(self, info: ValidationInfo) -> ExtractedClaims:
        """With the numbered text in the validation context, every claim must cite at least
        one of its sentences: a number outside them is an invalid answer, re-asked."""
        shown = (info.context or {}).get("numbered")
        if isinstance(shown, numbered.NumberedText):
            for i, item in enumerate(self.claims, 1):
                problem = "it cites no sentence number" if not item.sentences else shown.problem(item.sentences)
                if problem:
                    raise ValueError(f"claim {i}: {problem}")
        return self


def not_a_claim(sentence: str) -> str | None:
    """Why a source sentence yields no checkable claim (a question, page furniture, an appeal
    to readers), else None. Applied to whatever a model proposes, so the rule does not depend
    on the model following the prompt."""
    text = sentence.strip().rstrip("\"'”’)").rstrip()
    if text.endswith("?"):
        return "a question"
    rule = boilerplate(sentence)
    return f"boilerplate ({rule})" if rule else None


def make_claim(
    article: Article, text: str, source: str, speaker: str, when: str | None, kind: ClaimKind, span: tuple[int, int] | None = None
) -> Claim | None:
    """A claim located in the article, or None if it cannot be. ``span`` is its source in the
    article when known (cited by sentence number); otherwise the source sentence, or the
    claim itself (models sometimes copy the sentence as the claim), must be found verbatim."""
    span = span or quotes.locate(source, article.text) or quotes.locate(text, article.text)
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
        source_text=article.text[span[0] : span[1]],
    )


class LLMExtractor:
    def __init__(self, asker: Asker, max_claims: int = 20) -> None:
        self.asker = asker
        self.prompt = prompts.load("extract_claims")
        self.max_claims = max_claims
        self.name = f"llm:{asker.model.model}:{self.prompt.sha}:{max_claims}"
        self.asks_llm = True

    def requests(self, article: Article) -> list[tuple[numbered.NumberedText, list[tuple[str, str]]]]:
        """The messages ``extract`` sends, one per window of the article: what a dry run counts."""
        windows = numbered.windows(numbered.of_text(article.text), WINDOW_CHARS)
        per_window = max(3, -(-self.max_claims // len(windows)))
        published = article.published.isoformat() if article.published else "unknown"
        return [
            (
                window,
                self.prompt.render(outlet=article.outlet, title=article.title, sentences=window.render(), max_claims=per_window, published=published),
            )
            for window in windows
        ]

    def extract(self, article: Article) -> tuple[list[Claim], int]:
        """Claims cited by sentence number, their spans taken from the article: none is lost
        to a copying mistake. Claims from a question or boilerplate are dropped (counted)."""
        claims: dict[str, Claim] = {}
        dropped = 0
        for window, messages in self.requests(article):
            answer = self.asker.ask(messages, ExtractedClaims, context={"numbered": window})
            if answer.value is None:
                # A failed window fails the article: claims from the other windows alone would
                # be stored as if they were all of them. Answers already received are cached,
                # so the next run pays only for what failed.
                raise ExtractionFailed(
                    f"{article.id}: claim extraction failed ({answer.error})", fault_hint(answer.error or "", self.asker.model.endpoint)
                )
            for item in answer.value.claims:
                span = window.span(item.sentences)
                if span is None or not_a_claim(article.text[span[0] : span[1]]):
                    dropped += 1
                    continue
                claim = make_claim(article, item.claim, "", item.speaker, item.when, item.kind, span=span)
                if claim is None:
                    dropped += 1
                else:
                    claims.setdefault(claim.id, claim)
        return list(claims.values())[: self.max_claims], dropped
