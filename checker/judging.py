"""Choosing who extracts claims and who judges them: the LLM, the offline model, or both.

``auto`` uses the LLM when one is configured (a key or a base URL) and the offline judge
otherwise, so `checker compare` works on a machine with no key and no network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from checker.asking import Asker
from checker.claims import Extractor, LLMExtractor
from checker.config import Settings
from checker.judge import Judge, LLMJudge
from checker.llm import make_model
from checker.results import Results
from checker.schemas import Usage

JudgeChoice = Literal["auto", "llm", "nli", "cascade"]


@dataclass
class Judging:
    kind: Literal["llm", "nli", "cascade"]
    extractor: Extractor
    judge: Judge
    asker: Asker | None
    model: str | None
    endpoint: str | None
    prompts: dict[str, str]
    started: float = field(default_factory=time.monotonic)

    def usage(self) -> Usage:
        # The offline judge makes no calls; its time is the run's time.
        usage = self.asker.meter.usage() if self.asker else Usage(seconds=round(time.monotonic() - self.started, 2))
        screened = getattr(self.judge, "screened", None)
        if screened is not None:
            usage = usage.model_copy(update={"screened_offline": screened, "sent_to_llm": self.judge.escalated})
        return usage


def resolve(choice: JudgeChoice, settings: Settings) -> Literal["llm", "nli", "cascade"]:
    if choice == "auto":
        return "llm" if settings.llm_configured else "nli"
    return choice


def build(choice: JudgeChoice, settings: Settings, results: Results | None) -> Judging:
    kind = resolve(choice, settings)
    if kind == "nli":
        from checker.nli import NLIJudge
        from checker.offline_claims import SentenceExtractor

        judge = NLIJudge()
        return Judging("nli", SentenceExtractor(settings.max_claims), judge, None, judge.model_name, None, {})
    chat = make_model(settings.model, settings.base_url, settings.api_key.get_secret_value() if settings.api_key else None,
                      temperature=settings.temperature, timeout=settings.timeout, max_retries=settings.max_retries,
                      method=settings.structured_output)
    asker = Asker(chat, results, transport_retries=settings.max_retries)
    extractor = LLMExtractor(asker, max_claims=settings.max_claims)
    llm_judge = LLMJudge(asker)
    prompts = {extractor.prompt.name: extractor.prompt.sha, llm_judge.prompt.name: llm_judge.prompt.sha}
    judge: Judge = llm_judge
    if kind == "cascade":
        from checker.cascade import CascadeJudge
        from checker.nli import NLIJudge

        judge = CascadeJudge(NLIJudge(), llm_judge)
    return Judging(kind, extractor, judge, asker, chat.model, chat.endpoint, prompts)
