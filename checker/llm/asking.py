"""Asking a model for a validated answer: cache, bounded re-ask, usage accounting.

``Asker.ask`` returns the answer as the pydantic model asked for, or no value with the raw
output and the reason. It never guesses a value. Malformed transport answers (garbage JSON,
no choices, a truncated body) are retried a few times with backoff; answers that arrive but
do not validate are re-asked with the validation errors, a bounded number of times.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_result, stop_after_attempt, wait_exponential

from checker.llm.chat import ChatModel, Completion
from checker.llm.prices import estimate_cost
from checker.llm.wire import Message, json_schema_of
from checker.schemas import Usage
from checker.storage.results_base import ResultsStore, cache_key

T = TypeVar("T", bound=BaseModel)


@dataclass
class Answer(Generic[T]):
    value: T | None
    raw: str
    error: str | None = None
    attempts: int = 0


@dataclass
class UsageMeter:
    """Counts calls and tokens across threads; ``cached`` answers cost nothing."""

    model: str
    endpoint: str | None = None  # prices depend on who serves the model (checker.llm.prices)
    calls: int = 0
    cached: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    started: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, completion: Completion, cached: bool) -> None:
        with self._lock:
            if completion.error:
                self.failed += 1
            elif cached:
                self.cached += 1
            else:
                self.calls += 1
                self.input_tokens += completion.input_tokens
                self.output_tokens += completion.output_tokens

    def usage(self) -> Usage:
        return Usage(
            calls=self.calls,
            cached=self.cached,
            failed=self.failed,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cost_usd=estimate_cost(self.model, self.input_tokens, self.output_tokens, self.endpoint),
            seconds=round(time.monotonic() - self.started, 2),
        )


class BudgetReached(Exception):
    """A paid call was refused: the run's --max-calls or --budget is spent."""


@dataclass(frozen=True)
class Budget:
    """What a run may spend: at most ``max_calls`` uncached calls, at most ``max_cost_usd``."""

    max_calls: int | None = None
    max_cost_usd: float | None = None

    def __bool__(self) -> bool:
        return self.max_calls is not None or self.max_cost_usd is not None


class Allowance:
    """The paid calls a run may still make. Checked before every uncached call, re-asks and
    retries included, so a limit is never overshot, whatever the concurrency."""

    def __init__(self, meter: UsageMeter, max_calls: int | None = None, max_cost_usd: float | None = None) -> None:
        self.meter = meter
        self.max_calls = max_calls
        self.max_cost_usd = max_cost_usd
        self.taken = 0
        self._lock = threading.Lock()

    @property
    def limit(self) -> str:
        parts = ([f"--max-calls {self.max_calls}"] if self.max_calls is not None else []) + (
            [f"--budget {self.max_cost_usd:g}"] if self.max_cost_usd is not None else []
        )
        return " and ".join(parts)

    def take(self) -> None:
        with self._lock:
            spent = self.meter.usage().cost_usd or 0.0
            if (self.max_calls is not None and self.taken >= self.max_calls) or (self.max_cost_usd is not None and spent >= self.max_cost_usd):
                raise BudgetReached(f"{self.limit} reached")
            self.taken += 1


class Asker:
    def __init__(
        self,
        model: ChatModel,
        results: ResultsStore | None,
        reasks: int = 2,
        transport_retries: int = 2,
        backoff: float = 0.5,
        budget: Budget | None = None,
    ) -> None:
        self.model = model
        self.results = results
        self.reasks = reasks
        self.transport_retries = transport_retries
        self.backoff = backoff
        self.meter = UsageMeter(model=model.model, endpoint=model.endpoint)
        # The run's budget is given when the asker is made and is checked before every paid call.
        self.allowance = Allowance(self.meter, budget.max_calls, budget.max_cost_usd) if budget else None

    def ask(self, messages: list[Message], schema: type[T], context: dict | None = None) -> Answer[T]:
        """``context`` goes to the schema's validators: what an answer is checked against
        beyond its shape (the sentence numbers a prompt showed)."""
        conversation = list(messages)
        first_problem: str | None = None
        completion = Completion(payload=None, raw="")
        for attempt in range(1, self.reasks + 2):
            completion = self._complete(conversation, schema)
            if completion.error:
                return Answer(None, completion.raw, f"the LLM call failed: {completion.error}", attempt)
            try:
                if completion.payload is None:
                    raise ValueError("the answer is not JSON")
                return Answer(schema.model_validate(completion.payload, context=context), completion.raw, None, attempt)
            except (ValidationError, ValueError) as exc:
                problem = _describe(exc)
                first_problem = first_problem or problem
                conversation += [
                    ("assistant", completion.raw or "(empty)"),
                    ("user", f"That answer is not valid: {problem}. Answer again with exactly the fields asked for."),
                ]
        return Answer(None, completion.raw, f"no valid answer after {self.reasks + 1} attempts ({first_problem})", self.reasks + 1)

    def key(self, messages: list[Message], schema: type[BaseModel]) -> str:
        """Where the answer to this request is cached: what a dry run looks up to learn what a
        request already paid for cost."""
        # A schema's own output budget changes the request, but is not part of its JSON schema.
        identity = {**self.model.cache_identity(), "max_output_tokens": getattr(schema, "max_output_tokens", None)}
        return cache_key(identity, messages, json_schema_of(schema))

    def _complete(self, messages: list[Message], schema: type[BaseModel]) -> Completion:
        key = self.key(messages, schema)
        if self.results is not None:
            hit = self.results.cached_call(key)
            if hit is not None:
                completion = Completion(hit["payload"], hit["raw"], hit["input_tokens"], hit["output_tokens"])
                self.meter.add(completion, cached=True)
                return completion
        retrying = Retrying(
            stop=stop_after_attempt(self.transport_retries + 1),
            wait=_server_wait(wait_exponential(multiplier=self.backoff, max=10)),
            retry=retry_if_result(lambda c: c.error is not None),
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )

        def attempt() -> Completion:
            if self.allowance is not None:
                self.allowance.take()  # raises BudgetReached: nothing is sent
            started = time.monotonic()
            result = self.model.complete(messages, schema)
            result.seconds = round(time.monotonic() - started, 3)
            self.meter.add(result, cached=False)  # every attempt, failed ones too
            return result

        completion = retrying(attempt)
        if completion.error is None and self.results is not None:
            self.results.store_call(
                key,
                self.model.model,
                self.model.endpoint,
                completion.payload,
                completion.raw,
                completion.input_tokens,
                completion.output_tokens,
                schema=schema.__name__,
                seconds=completion.seconds,
            )
        return completion


def fault_hint(error: str, endpoint: str) -> str:
    """What to do about a failed call, read from its error: a server that is up and says 429
    or 500 needs another fix than one nobody answers at."""
    again = "then run the same command again: what failed is retried, what finished is kept"
    lowered = error.lower()
    if "429" in error or "ratelimit" in lowered.replace(" ", ""):
        return f"The server at {endpoint} is limiting the request rate: wait, or lower --concurrency, {again}"
    if any(code in error for code in ("500", "502", "503", "504")) or "internalservererror" in lowered.replace(" ", ""):
        return f"The server at {endpoint} failed (5xx): see its log, {again}"
    if "timed out" in lowered:
        return f"The server at {endpoint} answered too slowly: raise CHECKER_TIMEOUT or lower --concurrency, {again}"
    if "connection" in lowered:
        return f"Is the LLM server running at {endpoint}? Start it or fix --base-url, {again}"
    if "no valid answer" in lowered or "not json" in lowered:
        return f"The model's answers were invalid or cut off: try a larger model, or another --structured-output, {again}"
    return f"See the error above, {again}"


def _server_wait(backoff):  # type: ignore[no-untyped-def]
    """The backoff, or longer when the server said how long to wait (Retry-After)."""

    def wait(state) -> float:  # type: ignore[no-untyped-def]
        asked = state.outcome.result().retry_after if state.outcome and not state.outcome.failed else None
        return max(backoff(state), asked or 0.0)

    return wait


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in exc.errors()[:3]]
        return "; ".join(parts)
    return str(exc)
