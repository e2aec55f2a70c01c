"""Judges that combine the offline judge and an LLM per pair: the offline judge screens every
pair, and a fixed rule (an escalation policy) says which pairs the LLM judges instead.

- ``cascade`` (``ask_on_doubt``): the LLM sees the offline judge's contradictions (and
  superseded) and every verdict under confidence ``CERTAIN_AT``; confident agreements and
  confident "not addressed" verdicts stand.
- The policies measured beside it (docs/history/NO-KEY-PLAN.md): ``keep_contradictions``
  (an offline contradiction stands, the LLM judges every other pair) and
  ``keep_contradictions_and_sure`` (as that, and confident offline verdicts stand too).

If the LLM cannot answer, the offline verdict stands, with a note. A pair the offline judge
cannot read (not English) always goes to the LLM.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from checker.judges.base import Screening
from checker.judges.llm_judge import LLMJudge
from checker.judges.nli import NLIJudge
from checker.schemas import Article, Claim, Evidence, Verdict

# The offline confidence at which a verdict is kept without asking the LLM. Set when the
# cascade shipped (2026-11); not tuned on any data the no-key options are measured on.
CERTAIN_AT = 0.8

Escalates = Callable[[Verdict], bool]  # True: the LLM judges this pair instead


def _contradiction(verdict: Verdict) -> bool:
    return verdict.label in ("contradict", "superseded")


def _unsure(verdict: Verdict) -> bool:
    return (verdict.confidence or 0.0) < CERTAIN_AT


def ask_on_doubt(verdict: Verdict) -> bool:
    """The cascade: offline contradictions and unsure verdicts go to the LLM."""
    return _contradiction(verdict) or _unsure(verdict)


def keep_contradictions(verdict: Verdict) -> bool:
    """An offline contradiction stands; the LLM judges the rest."""
    return not _contradiction(verdict)


def keep_contradictions_and_sure(verdict: Verdict) -> bool:
    """An offline contradiction or a confident offline verdict stands; the LLM judges the rest."""
    return not _contradiction(verdict) and _unsure(verdict)


POLICIES: dict[str, Escalates] = {
    "cascade": ask_on_doubt,
    "keep-contradictions": keep_contradictions,
    "keep-contradictions-and-sure": keep_contradictions_and_sure,
}


def combined(offline: Verdict, escalates: Escalates, ask: Callable[[], Verdict]) -> tuple[Verdict, bool]:
    """The verdict a policy gives for one pair, and whether it asked the LLM (``ask``)."""
    if not escalates(offline):
        return offline, False
    second = ask()
    if second.label == "unscored":
        note = f"the LLM could not answer ({second.error}); the offline verdict stands"
        return offline.model_copy(update={"quote_note": "; ".join(filter(None, [offline.quote_note, note]))}), True
    return second, True


class CascadeJudge:
    def __init__(self, offline: NLIJudge, llm: LLMJudge, policy: str = "cascade") -> None:
        self.offline = offline
        self.llm = llm
        self.policy = policy
        self.escalates = POLICIES[policy]
        # The name keys stored verdicts: each policy keeps its own.
        self.name = f"{policy}:{offline.name}+{llm.name}"
        # Declared capabilities (checker.judges.base): it asks the LLM, and counts its screen.
        self.scorer = None
        self.screening = Screening()
        self._lock = threading.Lock()

    def judge(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> Verdict:
        first = self.offline.judge(claim, source, other, evidence)
        verdict, asked = combined(first, self.escalates, lambda: self.llm.judge(claim, source, other, evidence))
        with self._lock:
            self.screening.screened += 1
            self.screening.escalated += asked
        return verdict
