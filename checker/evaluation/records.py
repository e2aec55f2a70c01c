"""What an eval run produces: one result per case, and the suite's result as saved under evals/results/."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field


class CaseResult(BaseModel):
    id: str
    expected: Any
    predicted: Any
    correct: bool
    confidence: float | None = None
    error: str | None = None
    seconds: float = 0.0


class SuiteResult(BaseModel):
    suite: str
    judge: str
    model: str | None
    endpoint: str | None
    prompts: dict[str, str] = Field(default_factory=dict)
    # Who extracted the claims (llm or sentences) and how the LLM was asked for JSON; None in
    # results recorded before either could be chosen (the judge's default then).
    extract: str | None = None
    structured_output: str | None = None
    # The LLM that extracted the claims when it is not the judge (the offline judge on LLM
    # claims): two such runs differ only here, so it names their results too.
    claims_model: str | None = None
    cases: int
    metrics: dict[str, Any]
    results: list[CaseResult]
    recorded_at: str

    def key(self) -> str:
        prompts = "-".join(self.prompts[name] for name in sorted(self.prompts)) or "no-prompt"
        # Settings that are not the judge's default name themselves, so they never overwrite it.
        extras = "".join(
            f"__{value}"
            for value in (self._extract_if_unusual(), self.structured_output if self.structured_output not in (None, "tools") else None)
            if value
        )
        return f"{self.judge}__{_slug(self.model or 'none')}__{prompts}{extras}"

    def _extract_if_unusual(self) -> str | None:
        usual = "sentences" if self.judge == "nli" else "llm"
        if not self.extract or self.extract == usual:
            return None
        return f"extract-{self.extract}" + (f"-{_slug(self.claims_model)}" if self.claims_model else "")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")
