"""The cascade judge: the offline judge screens every pair, the LLM sees only the hard ones.

A pair goes to the LLM when the offline judge calls it a contradiction (or superseded), or
is not sure (confidence below ``certain_at``); confident agreements and confident "not
addressed" verdicts are kept as they are. If the LLM cannot answer, the offline verdict
stands, with a note.
"""

from __future__ import annotations

import threading

from checker.judges.base import Screening
from checker.judges.llm_judge import LLMJudge
from checker.judges.nli import NLIJudge
from checker.schemas import Article, Claim, Evidence, Verdict

CERTAIN_AT = 0.8


class CascadeJudge:
    def __init__(self, offline: NLIJudge, llm: LLMJudge, certain_at: float = CERTAIN_AT) -> None:
        self.offline = offline
        self.llm = llm
        self.certain_at = certain_at
        self.name = f"cascade:{offline.name}+{llm.name}"
        # Declared capabilities (checker.judges.base): it asks the LLM, and counts its screen.
        self.scorer = None
        self.screening = Screening()
        self._lock = threading.Lock()

    def needs_llm(self, verdict: Verdict) -> bool:
        return verdict.label in ("contradict", "superseded") or (verdict.confidence or 0.0) < self.certain_at

    def judge(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> Verdict:
        first = self.offline.judge(claim, source, other, evidence)
        escalate = self.needs_llm(first)
        with self._lock:
            self.screening.screened += 1
            self.screening.escalated += escalate
        if not escalate:
            return first
        second = self.llm.judge(claim, source, other, evidence)
        if second.label == "unscored":
            note = f"the LLM could not answer ({second.error}); the offline verdict stands"
            return first.model_copy(update={"quote_note": "; ".join(filter(None, [first.quote_note, note]))})
        return second
