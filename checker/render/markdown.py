"""Markdown output that stays text when a viewer renders it to HTML.

Markdown is often rendered to HTML (a pull request, a wiki, a static site), so article text
in it could become markup: raw ``<script>`` or ``<img onerror>``, or a ``[link](javascript:)``.
The Markdown templates run every value they print through ``safe`` (Jinja's ``finalize``), so
no template can forget it: HTML's special characters become entities and link brackets are
backslash-escaped. Template text itself (headings, tables) is not touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]"})


def safe(value: Any) -> Any:
    """A value as Markdown shows it literally; None and numbers pass through, and so does a
    macro's output marked ``|rendered`` (its values were escaped when it was rendered)."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return value


def cell(text: Any) -> str:
    """One table cell: no line breaks, no unescaped pipes."""
    return " ".join(str(text).split()).replace("|", "\\|")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=False,
        finalize=safe,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["mdcell"] = cell
    env.filters["mdquote"] = lambda text: " ".join(str(text).split())
    # A macro's output, already escaped inside the macro: printed as it is, never escaped twice.
    env.filters["rendered"] = Markup
    return env
