"""What a judge is, what it may declare it can do, and the rules every verdict passes.

Judges are interchangeable: the LLM judge (``llm_judge``), the offline model (``nli``), and
the cascade of the two (``cascade``). Each declares its capabilities as attributes, never
found by probing: ``llm`` is the LLM judge it asks, if any (what a dry run prices);
``scorer`` is the part that gives probabilities, if any (what an eval file's ROC AUC reads);
``screening`` counts what an offline screen settled and what it sent on, if it screens.

Whatever the judge, ``finalise`` applies the same rules before a verdict is shown: the quote
must be the other article's own text (or it is dropped with a note), and ``superseded`` needs
two reports with different known dates, otherwise it is a contradiction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from checker.articles import quotes
from checker.schemas import Article, Claim, Evidence, Verdict


@dataclass
class Screening:
    """A screening judge's tally: pairs it screened, and how many it sent to the LLM."""

    screened: int = 0
    escalated: int = 0


class Scorer(Protocol):
    """A judge that scores each candidate sentence, then decides from the scores."""

    def score(self, claim: Claim, other: Article, evidence: list[Evidence]) -> list[Any]: ...
    def decide(self, claim: Claim, source: Article, other: Article, scored: list[Any]) -> Verdict: ...


class Judge(Protocol):
    name: str  # keys every stored verdict: model, prompt hash or weights hash, thresholds

    # Read-only in the protocol, so a judge may declare a narrower type (LLMJudge, None).
    @property
    def llm(self) -> Judge | None: ...
    @property
    def scorer(self) -> Scorer | None: ...
    @property
    def screening(self) -> Screening | None: ...

    def judge(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> Verdict: ...


def finalise(verdict: Verdict, source: Article, other: Article) -> Verdict:
    """Check the quote against the other article and the time logic of ``superseded``."""
    updates: dict[str, object] = {}
    notes: list[str] = []
    if verdict.label in ("not_addressed", "unscored"):
        updates.update(quote=None, quote_start=None, quote_end=None)
    elif (
        verdict.quote
        and verdict.quote_start is not None
        and verdict.quote_end is not None
        and other.text[verdict.quote_start : verdict.quote_end] == verdict.quote
    ):
        pass  # cited by position, taken from the article: verbatim by construction
    elif verdict.quote:
        span = quotes.locate(verdict.quote, other.text)
        if span is None:
            updates.update(quote=None, quote_start=None, quote_end=None)
            notes.append("the judge's quote is not in the other article verbatim, so it was dropped")
        else:
            updates.update(quote=other.text[span[0] : span[1]], quote_start=span[0], quote_end=span[1])
    else:
        notes.append("the judge gave no quote")
    if verdict.label == "superseded" and (source.published is None or other.published is None or source.published == other.published):
        updates["label"] = "contradict"
        notes.append("'superseded' needs two reports with different known dates; treated as a contradiction")
    if notes:
        updates["quote_note"] = "; ".join(notes)
    return verdict.model_copy(update=updates)
