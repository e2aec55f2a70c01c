"""Fakes for unit tests: a scripted chat model that answers from a function and records every
request, and small articles built in place."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from checker.llm.chat import Completion
from checker.llm.wire import Message
from checker.schemas import Article, text_sha256

Responder = Callable[[list[Message], type[BaseModel]], Any]
FENCED = re.compile(r"<<<(\w+)\n(.*?)\n\1>>>", re.S)


def fenced(messages: list[Message], label: str) -> str:
    """The text the prompt fenced under ``label`` in the user message."""
    for name, body in FENCED.findall(messages[1][1]):
        if name == label:
            return body
    raise AssertionError(f"no {label} fence in the request")


NUMBERED_LINE = re.compile(r"^\[(\d+)\] (.*)$", re.M)


def sentences(messages: list[Message], label: str) -> dict[int, str]:
    """The numbered sentences a prompt fenced under ``label``: number -> text."""
    return {int(n): text for n, text in NUMBERED_LINE.findall(fenced(messages, label))}


def cite(messages: list[Message], label: str, needle: str) -> list[int]:
    """The number of the first fenced sentence containing ``needle``, as a list ([] if none)."""
    return [n for n, text in sentences(messages, label).items() if needle in text][:1]


def claim(text: str, numbers: list[int], speaker: str = "the outlet", when: str | None = None, kind: str = "event") -> dict:
    """One claim of an ExtractedClaims answer."""
    return {"claim": text, "sentences": numbers, "speaker": speaker, "when": when, "kind": kind}


def verdict(label: str, numbers: list[int] | None = None, reasoning: str = "scripted", confidence: float = 0.7) -> dict:
    """A JudgeAnswer."""
    return {"reasoning": reasoning, "label": label, "sentences": numbers or [], "confidence": confidence}


class ScriptedModel:
    """``respond`` returns a dict (the structured answer), a str (raw, unparseable text),
    a ``Completion`` (used as is, e.g. with an error), or raises."""

    def __init__(self, respond: Responder, model: str = "scripted-model", endpoint: str = "fake://scripted") -> None:
        self.respond = respond
        self.model = model
        # Prices apply only to OpenAI's endpoint: a test of costs passes it.
        self.endpoint = endpoint
        self.requests: list[tuple[list[Message], str]] = []
        self._lock = threading.Lock()

    def cache_identity(self) -> dict[str, Any]:
        return {"model": self.model, "endpoint": self.endpoint}

    def complete(self, messages: list[Message], schema: type[BaseModel]) -> Completion:
        with self._lock:
            self.requests.append((list(messages), schema.__name__))
        answer = self.respond(messages, schema)
        if isinstance(answer, Completion):
            return answer
        if isinstance(answer, str):
            return Completion(payload=None, raw=answer, input_tokens=10, output_tokens=5)
        import json

        return Completion(payload=answer, raw=json.dumps(answer), input_tokens=100, output_tokens=20)

    def calls(self, schema_name: str | None = None) -> int:
        return sum(1 for _, name in self.requests if schema_name in (None, name))


class KeywordJudge:
    """A judge for report tests: a verdict from keywords of the two sentences, calls recorded.

    "relocation"/"repositioning" against "fully withdrawn" is the seed conflict: superseded
    when the later report is dated later, as the LLM is asked to decide. ``interrupt_after``
    raises KeyboardInterrupt on that call, as Ctrl-C would.
    """

    name = "keywords:v1"
    # Declared capabilities (checker.judges.base): no LLM inside, no scores, no screen.
    llm = None
    scorer = None
    screening = None

    def __init__(self, interrupt_after: int | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self.interrupt_after = interrupt_after
        self._lock = threading.Lock()

    def judge(self, claim, source, other, evidence):  # type: ignore[no-untyped-def]
        from checker.judges.base import finalise
        from checker.schemas import Verdict

        with self._lock:
            self.calls.append((claim.id, other.id))  # the claim, and the article it was judged against
            if self.interrupt_after is not None and len(self.calls) > self.interrupt_after:
                raise KeyboardInterrupt
        # Every passage shown, as a judge reads them (a report pair shows the later report's k
        # closest passages, the matching one not always first).
        said, other_said = claim.text.lower(), " ".join(e.text for e in evidence).lower()
        if re.search(r"relocation|repositioning", said) and "fully withdrawn" in other_said:
            label, quote = "superseded", "fully withdrawn"
        elif "withdraw" in said and "withdraw" in other_said:
            label, quote = "contradict", evidence[0].text[:40]
        elif "kirby" in said and "kirby" in other_said:
            label, quote = "agree", evidence[0].text[:30]
        else:
            label, quote = "not_addressed", None
        verdict = Verdict(label=label, quote=quote, rationale=f"keywords say {label}", confidence=0.9, judge="keywords", model="keywords")
        return finalise(verdict, source, other)


def article(text: str, published: str | None, name: str = "b") -> Article:
    """An article named ``name`` (its outlet the name in capitals), dated ``published`` (ISO)."""
    return Article(
        id=name, outlet=name.upper(), text=text, sha256=text_sha256(text), published=dt.date.fromisoformat(published) if published else None
    )
