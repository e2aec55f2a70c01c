"""Finding a quote verbatim in a source text, so no unverifiable quote reaches a reader.

A quote counts as verbatim if it matches the text exactly, or after normalising only what
models routinely change and readers do not: curly versus straight quotes and apostrophes,
dash variants, and runs of whitespace. The span returned always points into the original
text, so ``text[start:end]`` is what the reader is shown.
"""

from __future__ import annotations

import re

_TRANSLATE = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " "}
)
_SPACE = re.compile(r"\s+")
MIN_QUOTE_CHARS = 8


def _normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index in the original."""
    out: list[str] = []
    index: list[int] = []
    previous_space = False
    for i, char in enumerate(text.translate(_TRANSLATE)):
        if char.isspace():
            if previous_space:
                continue
            char, previous_space = " ", True
        else:
            previous_space = False
        out.append(char)
        index.append(i)
    return "".join(out), index


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """(start, end) of ``quote`` in ``text``, or None if it is not there verbatim."""
    quote = quote.strip().strip('"“”').strip()
    if len(quote) < MIN_QUOTE_CHARS:
        return None
    exact = text.find(quote)
    if exact >= 0:
        return exact, exact + len(quote)
    norm_text, index = _normalise(text)
    norm_quote, _ = _normalise(quote)
    norm_quote = norm_quote.strip()
    found = norm_text.find(norm_quote)
    if found < 0:
        return None
    return index[found], index[found + len(norm_quote) - 1] + 1
