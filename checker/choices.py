"""The closed sets a user chooses from, spelled once: who judges, who extracts claims, how an
LLM is asked for JSON. The CLI's options, the settings and the pipelines all use these, so a
new choice is added here and nowhere else. No dependencies: `checker --help` imports it.
"""

from __future__ import annotations

from enum import Enum


class JudgeKind(str, Enum):
    auto = "auto"  # llm when an LLM is configured, else nli
    llm = "llm"
    nli = "nli"  # the offline judge
    cascade = "cascade"  # the offline judge screens, the LLM takes conflicts and doubts


class ExtractKind(str, Enum):
    auto = "auto"  # llm for an LLM judge, sentences for the offline judge
    llm = "llm"
    sentences = "sentences"  # the clauses of the article's checkable sentences


class StructuredOutput(str, Enum):
    auto = "auto"  # json_schema for OpenAI, tools elsewhere
    json_schema = "json_schema"
    tools = "tools"
    json_object = "json_object"
