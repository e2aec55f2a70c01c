"""The options several commands share, declared once so their names, choices and help agree.

compare, report, check and eval each take who judges, who extracts claims and which LLM
endpoint to ask; a command imports the alias and gives the default. The choices themselves
are checker.choices' (spelled once, for settings and pipelines too).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from checker.choices import ExtractKind, JudgeKind, StructuredOutput

Format = TypeVar("Format", bound=Enum)
# What an --out file's suffix asks for, where a command offers that format.
SUFFIX_FORMATS = {".json": "json", ".md": "markdown", ".html": "html", ".htm": "html"}


def format_for(given: Format | None, out_file: Path | None, default: Format) -> Format:
    """--format wins; else the --out file's suffix decides; else the command's default.
    compare and report choose alike, so `-o x.json` writes JSON from either."""
    if given is not None:
        return given
    wanted = SUFFIX_FORMATS.get(out_file.suffix.lower() if out_file else "")
    return type(default)(wanted) if wanted else default


JudgeOption = Annotated[
    JudgeKind,
    typer.Option(
        "--judge",
        help="Who judges: llm, nli (offline model, no key needed), cascade (offline screen, LLM for contradictions and uncertain pairs), auto (llm if configured, else nli).",
    ),
]
ExtractOption = Annotated[
    ExtractKind,
    typer.Option(
        "--extract",
        help="Who finds the claims: llm (self-contained claims; needs a configured LLM), sentences (the clauses of the article's "
        "checkable sentences, offline), auto (llm for an LLM judge, sentences for the offline judge).",
    ),
]
ModelOption = Annotated[
    str | None, typer.Option("--model", help="Model name at the endpoint. \\[env: CHECKER_MODEL; default: gpt-4o-mini]", show_default=False)
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1. \\[env: CHECKER_BASE_URL]", show_default=False),
]
StructuredOutputOption = Annotated[
    StructuredOutput | None,
    typer.Option(
        "--structured-output",
        help="How to ask for JSON: json_schema (OpenAI), tools (a forced tool call: llama.cpp and most local servers), json_object (any JSON, fields described in the prompt), auto. \\[default: auto]",
        show_default=False,
    ),
]
ConcurrencyOption = Annotated[
    int | None, typer.Option("--concurrency", min=1, max=64, help="LLM calls (eval: cases) in flight at once. \\[default: 4]", show_default=False)
]
MaxClaimsOption = Annotated[
    int | None, typer.Option("--max-claims", min=1, max=200, help="Claims extracted per article. \\[default: 20]", show_default=False)
]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Count what the run would cost (articles to extract, pairs to judge, LLM calls, tokens, dollars) and stop: "
        "nothing is indexed or stored, no LLM is called.",
    ),
]


__all__ = ["ExtractKind", "JudgeKind", "StructuredOutput"]

# Reading the web: a file of URLs, and the user's names for outlets by domain.
UrlsOption = Annotated[
    Path | None,
    typer.Option("--urls", help="A file of article URLs, one a line (# comments), read besides the arguments.", show_default=False),
]
OutletsOption = Annotated[
    Path | None,
    typer.Option("--outlets", help="A file of 'domain = Outlet name' lines naming web pages' outlets (or CHECKER_OUTLETS).", show_default=False),
]
