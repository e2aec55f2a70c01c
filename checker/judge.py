"""Judging a claim against another article's passages, and the checks every verdict gets.

Judges are interchangeable (the LLM one here, an offline one later). Whatever the judge,
``finalise`` applies the same rules before a verdict is shown: the quote must be found
verbatim in the other article or it is dropped with a note, and ``superseded`` needs two
reports with different known dates, otherwise it is a contradiction.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Protocol

from pydantic import BaseModel, Field, field_validator

from checker import prompts, quotes
from checker.asking import Asker
from checker.schemas import Article, Claim, Evidence, Verdict


class JudgeAnswer(BaseModel):
    label: Literal["agree", "contradict", "superseded", "not_addressed"]
    # Every field is required: optional fields make llama.cpp's grammar much larger.
    quote: str = Field(description="Verbatim from article B; empty for not_addressed.")
    rationale: str = Field(description="One sentence.")
    confidence: float = Field(description="From 0 to 1.")

    max_output_tokens: ClassVar[int] = 400

    # The range is checked here rather than with ge/le: numeric bounds in the JSON schema make
    # llama.cpp's grammar-constrained decoding hang (seen with llama-cpp-python 0.3.36).
    @field_validator("confidence")
    @classmethod
    def _probability(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError("confidence must be a number from 0 to 1")
        return value


class Judge(Protocol):
    name: str

    def judge(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> Verdict: ...


def finalise(verdict: Verdict, source: Article, other: Article) -> Verdict:
    """Check the quote against the other article and the time logic of ``superseded``."""
    updates: dict[str, object] = {}
    notes: list[str] = []
    if verdict.label in ("not_addressed", "unscored"):
        updates.update(quote=None, quote_start=None, quote_end=None)
    elif verdict.quote:
        span = quotes.locate(verdict.quote, other.text)
        if span is None:
            updates.update(quote=None, quote_start=None, quote_end=None)
            notes.append("the judge's quote is not in the other article verbatim, so it was dropped")
        else:
            updates.update(quote=other.text[span[0]:span[1]], quote_start=span[0], quote_end=span[1])
    else:
        notes.append("the judge gave no quote")
    if verdict.label == "superseded" and (source.published is None or other.published is None or source.published == other.published):
        updates["label"] = "contradict"
        notes.append("'superseded' needs two reports with different known dates; treated as a contradiction")
    if notes:
        updates["quote_note"] = "; ".join(notes)
    return verdict.model_copy(update=updates)


def passages_text(evidence: list[Evidence]) -> str:
    return "\n\n".join(f"[{i}] {e.text}" for i, e in enumerate(evidence, 1)) or "(no passages found)"


class LLMJudge:
    def __init__(self, asker: Asker) -> None:
        self.asker = asker
        self.prompt = prompts.load("judge_claim")
        self.name = f"llm:{asker.model.model}:{self.prompt.sha}"

    def judge(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> Verdict:
        messages = self.prompt.render(
            claim=claim.text, claim_speaker=claim.speaker, claim_when=claim.when or "unknown",
            a_outlet=source.outlet, a_published=_date(source), b_outlet=other.outlet, b_published=_date(other),
            passages=passages_text(evidence))
        answer = self.asker.ask(messages, JudgeAnswer)
        common = {"judge": "llm", "model": self.asker.model.model, "prompt_sha": self.prompt.sha, "raw": answer.raw}
        if answer.value is None:
            return Verdict(label="unscored", error=answer.error, **common)
        value = answer.value
        verdict = Verdict(label=value.label, quote=value.quote or None, rationale=value.rationale,
                          confidence=value.confidence, **common)
        return finalise(verdict, source, other)


def _date(article: Article) -> str:
    return article.published.isoformat() if article.published else "unknown"
