"""Judging a claim against another article's passages, and the checks every verdict gets.

The LLM judge; the interface every judge shares, and ``finalise``, the rules every verdict
passes, are in checker.judges.base.

The LLM never copies its quote: it sees B's passages as numbered sentences and answers the
numbers of the sentences that decide, and the quote is those sentences of B, verbatim by
construction (checker.articles.numbered).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from checker.articles import numbered
from checker.judges.base import finalise
from checker.llm import prompts
from checker.llm.asking import Asker
from checker.schemas import Article, Claim, Evidence, JudgedLabel, Verdict


class JudgeAnswer(BaseModel):
    # The reasoning comes first so that a model writing its answer in order (as grammar-
    # constrained local models do) has said what B says before it commits to a label.
    reasoning: str = Field(description="One short sentence: what B says about the claim.")
    label: JudgedLabel
    # Every field is required: optional fields make llama.cpp's grammar much larger.
    sentences: list[int] = Field(description="Numbers of B's sentences that decide the label; empty for not_addressed.")
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

    @model_validator(mode="after")
    def _cites_shown_sentences(self, info: ValidationInfo) -> JudgeAnswer:
        """A sentence number that was not shown is an invalid answer (re-asked), never a
        quote from somewhere else."""
        shown = (info.context or {}).get("numbered")
        # not_addressed quotes nothing, so numbers given with it are ignored, not checked:
        # small models fill the list anyway (Gemma 270M writes [-1]).
        if isinstance(shown, numbered.NumberedText) and self.label != "not_addressed":
            problem = shown.problem(self.sentences)
            if problem:
                raise ValueError(problem)
        return self


def numbered_passages(evidence: list[Evidence], other: Article) -> numbered.NumberedText:
    """B's passages as sentences numbered across them, with offsets into B's text. A passage
    whose offsets do not point at its text is placed by finding it; one that is not B's text
    at all is left out, so no cited number can point at the wrong words."""
    placed = []
    for e in evidence:
        start = e.start if other.text[e.start : e.end] == e.text else other.text.find(e.text)
        if start >= 0 and e.text:
            placed.append((e.text, start))
    return numbered.of_passages(placed)


class LLMJudge:
    def __init__(self, asker: Asker) -> None:
        self.asker = asker
        self.prompt = prompts.load("judge_claim")
        self.name = f"llm:{asker.model.model}:{self.prompt.sha}"
        # Declared capabilities (checker.judges.base): it is the LLM judge; no scores, no screen.
        self.llm: LLMJudge | None = self
        self.scorer = None
        self.screening = None

    def request(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> tuple[numbered.NumberedText, list[tuple[str, str]]]:
        """The passages as numbered and the messages ``judge`` sends: what a dry run counts."""
        shown = numbered_passages(evidence, other)
        return shown, self.prompt.render(
            claim=claim.text,
            claim_speaker=claim.speaker,
            claim_when=claim.when or "unknown",
            a_outlet=source.outlet,
            a_published=_date(source),
            b_outlet=other.outlet,
            b_published=_date(other),
            passages=shown.render() or "(no passages found)",
        )

    def judge(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> Verdict:
        shown, messages = self.request(claim, source, other, evidence)
        answer = self.asker.ask(messages, JudgeAnswer, context={"numbered": shown})
        common: dict[str, Any] = {"judge": "llm", "model": self.asker.model.model, "prompt_sha": self.prompt.sha, "raw": answer.raw}
        if answer.value is None:
            return Verdict(label="unscored", error=answer.error, **common)
        value = answer.value
        span = shown.span(value.sentences) if value.label != "not_addressed" else None
        verdict = Verdict(
            label=value.label,
            rationale=value.reasoning,
            confidence=value.confidence,
            quote=other.text[span[0] : span[1]] if span else None,
            quote_start=span[0] if span else None,
            quote_end=span[1] if span else None,
            **common,
        )
        return finalise(verdict, source, other)


def _date(article: Article) -> str:
    return article.published.isoformat() if article.published else "unknown"
