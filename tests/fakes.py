"""A scripted chat model for unit tests: answers from a function, records every request."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from checker.llm import Completion, Message

Responder = Callable[[list[Message], type[BaseModel]], Any]
FENCED = re.compile(r"<<<(\w+)\n(.*?)\n\1>>>", re.S)


def fenced(messages: list[Message], label: str) -> str:
    """The text the prompt fenced under ``label`` in the user message."""
    for name, body in FENCED.findall(messages[1][1]):
        if name == label:
            return body
    raise AssertionError(f"no {label} fence in the request")


class ScriptedModel:
    """``respond`` returns a dict (the structured answer), a str (raw, unparseable text),
    a ``Completion`` (used as is, e.g. with an error), or raises."""

    def __init__(self, respond: Responder, model: str = "scripted-model") -> None:
        self.respond = respond
        self.model = model
        self.endpoint = "fake://scripted"
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
