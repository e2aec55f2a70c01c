"""What goes to a chat model and what comes back: message shaping, the answer format that
``json_object`` mode writes into the prompt, reading an answer's JSON from a tool call or
from plain content, and the password inside an endpoint's URL.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from pydantic import BaseModel

Message = tuple[str, str]  # (role, content)


def url_password(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password if url else None
    except ValueError:
        return None


def merge_system_message(messages: list[Message]) -> list[Message]:
    """[system, user, ...] -> [user (system text, blank line, user text), ...]."""
    if len(messages) < 2 or messages[0][0] != "system" or messages[1][0] != "user":
        return messages
    return [("user", f"{messages[0][1]}\n\n{messages[1][1]}"), *messages[2:]]


@cache
def json_schema_of(schema: type[BaseModel]) -> dict[str, Any]:
    """``schema``'s JSON schema, built once: pydantic builds it anew on every call, and every
    LLM call needs it for its cache key (read only: callers must not change it)."""
    return schema.model_json_schema()


def answer_format(schema: type[BaseModel]) -> str:
    """The fields of ``schema`` as one line a model can follow, in the schema's order:
    ``json_object`` mode sends no schema, so the prompt must say what to write."""
    spec = json_schema_of(schema)
    defs = spec.get("$defs", {})
    parts = []
    for name, prop in spec.get("properties", {}).items():
        parts.append(f'"{name}": {_type_of(prop, defs)}')
    return "Answer with one JSON object and nothing else: {" + ", ".join(parts) + "}"


def _type_of(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        target = defs[prop["$ref"].rsplit("/", 1)[1]]
        return "{" + ", ".join(f'"{k}": {_type_of(v, defs)}' for k, v in target.get("properties", {}).items()) + "}"
    if "enum" in prop:
        return " | ".join(json.dumps(v) for v in prop["enum"])
    if "anyOf" in prop:
        return " | ".join(_type_of(p, defs) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return "[" + _type_of(prop.get("items", {}), defs) + ", ...]"
    return str(prop.get("type", "value"))


def with_answer_format(messages: list[Message], schema: type[BaseModel]) -> list[Message]:
    """``messages`` with the answer's format appended to the last user message."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i][0] == "user":
            return [*messages[:i], ("user", f"{messages[i][1]}\n\n{answer_format(schema)}"), *messages[i + 1 :]]
    return messages


def _payload(message: Any) -> tuple[str, Any | None]:
    """The answer's raw text and its JSON value, from a tool call or from the content."""
    tool_calls = getattr(message, "tool_calls", None) or []
    if tool_calls:
        args = tool_calls[0].get("args")
        return json.dumps(args, ensure_ascii=False), args
    invalid = getattr(message, "invalid_tool_calls", None) or []
    if invalid:
        raw = str(invalid[0].get("args") or "")
        return raw, _loads(raw)
    content = message.content if isinstance(message.content, str) else json.dumps(message.content)
    return content, _loads(content)


def _loads(text: str) -> Any | None:
    text = text.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.S)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return None
