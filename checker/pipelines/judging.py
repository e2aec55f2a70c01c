"""Choosing who extracts claims and who judges them: the LLM, the offline model, or both.

``auto`` uses the LLM when one is configured (a key or a base URL) and the offline judge
otherwise, so `checker compare` works on a machine with no key and no network.

Who extracts is chosen apart from who judges: by default the LLM judge gets LLM claims and
the offline judge gets the clauses of the article's checkable sentences, but an LLM's self-contained
claims ("he" becomes "Kirby") can go to the offline judge too (``extract="llm"``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from checker.choices import ExtractKind, JudgeKind
from checker.claims.base import Extractor
from checker.claims.llm_claims import LLMExtractor
from checker.config import Settings
from checker.errors import InputError
from checker.judges.base import Judge
from checker.judges.llm_judge import LLMJudge
from checker.llm.asking import Asker, Budget
from checker.llm.chat import make_model
from checker.llm.prices import estimate_cost, is_local
from checker.schemas import Usage
from checker.storage.results_base import ResultsStore

# What a caller may pass: a choice, or its value as a string.
JudgeChoice = JudgeKind | str
ExtractChoice = ExtractKind | str


@dataclass
class Judging:
    kind: str  # a JudgeKind's value, resolved: never "auto"
    extractor: Extractor
    judge: Judge
    asker: Asker | None
    model: str | None
    endpoint: str | None
    prompts: dict[str, str]
    extract: str = "sentences"  # an ExtractKind's value, resolved: never "auto"
    structured_output: str | None = None  # how the LLM was asked for JSON, when one is asked
    started: float = field(default_factory=time.monotonic)

    def usage(self) -> Usage:
        # The offline judge makes no calls; its time is the run's time.
        usage = self.asker.meter.usage() if self.asker else Usage(seconds=round(time.monotonic() - self.started, 2))
        screening = self.judge.screening  # a cascade counts what it screened and sent on
        if screening is not None:
            usage = usage.model_copy(update={"screened_offline": screening.screened, "sent_to_llm": screening.escalated})
        return usage


def resolve(choice: JudgeChoice, settings: Settings) -> str:
    """The judge a choice means here: ``auto`` is the LLM when one is configured, else the offline judge."""
    chosen = JudgeKind(choice)
    if chosen is JudgeKind.auto:
        return JudgeKind.llm.value if settings.llm_configured else JudgeKind.nli.value
    return chosen.value


def build(
    choice: JudgeChoice, settings: Settings, results: ResultsStore | None, extract: ExtractChoice = "auto", budget: Budget | None = None
) -> Judging:
    """The extractor and judge for a run. ``extract``: ``llm`` claims need a configured model
    (ConfigError otherwise), ``sentences`` are the offline extractor's, ``auto`` follows the judge.
    ``budget`` caps the LLM's paid calls (the offline judge makes none)."""
    kind = resolve(choice, settings)
    extract = ("sentences" if kind == "nli" else "llm") if ExtractKind(extract) is ExtractKind.auto else ExtractKind(extract).value
    from checker.claims.offline_claims import SentenceExtractor

    if kind == "nli":
        from checker.judges.nli import NLIJudge

        offline = NLIJudge(settings.judge_model)
        if extract == "sentences":
            return Judging("nli", SentenceExtractor(settings.max_claims), offline, None, offline.model_name, None, {}, "sentences")
        claims_asker = _asker(settings, results, budget)
        claims_by_llm = LLMExtractor(claims_asker, max_claims=settings.max_claims)
        # The model named is the judge's; the LLM that extracted is in the endpoint and prompts.
        return Judging(
            "nli",
            claims_by_llm,
            offline,
            claims_asker,
            offline.model_name,
            claims_asker.model.endpoint,
            {claims_by_llm.prompt.name: claims_by_llm.prompt.sha},
            "llm",
            _method(claims_asker),
        )
    asker = _asker(settings, results, budget)
    chosen: Extractor = LLMExtractor(asker, max_claims=settings.max_claims) if extract == "llm" else SentenceExtractor(settings.max_claims)
    llm_judge = LLMJudge(asker)
    prompts = {llm_judge.prompt.name: llm_judge.prompt.sha}
    if isinstance(chosen, LLMExtractor):
        prompts[chosen.prompt.name] = chosen.prompt.sha
    judge: Judge = llm_judge
    if kind == "cascade":
        from checker.judges.cascade import CascadeJudge
        from checker.judges.nli import NLIJudge

        judge = CascadeJudge(NLIJudge(settings.judge_model), llm_judge)
    return Judging(kind, chosen, judge, asker, asker.model.model, asker.model.endpoint, prompts, extract, _method(asker))


def _method(asker: Asker) -> str | None:
    return getattr(asker.model, "method", None)


def _asker(settings: Settings, results: ResultsStore | None, budget: Budget | None) -> Asker:
    chat = make_model(
        settings.model if settings.model_named else None,
        settings.base_url,
        settings.api_key.get_secret_value() if settings.api_key else None,
        temperature=settings.temperature,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        method=settings.structured_output,
    )
    if budget is not None and budget.max_cost_usd is not None:
        if is_local(chat.endpoint):
            raise InputError(
                f"--budget: the model {chat.model!r} runs on this machine and costs nothing per token, so a dollar budget caps nothing",
                "Use --max-calls to cap the calls",
            )
        if estimate_cost(chat.model, 1000, 1000, chat.endpoint) is None:
            raise InputError(f"--budget: the price of model {chat.model!r} is unknown, so cost cannot be capped", "Use --max-calls instead")
    return Asker(chat, results, transport_retries=settings.max_retries, budget=budget)
