"""Sentences with character offsets, from pysbd's rule-based segmenter (no model, no data).

Paragraph breaks always end a sentence; within a paragraph pysbd handles abbreviations
("U.S.", "Mr.") and quotations that a naive split on full stops gets wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split(text: str, offset: int = 0) -> list[Sentence]:
    """The sentences of ``text``; offsets are into ``text`` plus ``offset``."""
    sentences: list[Sentence] = []
    for paragraph in re.finditer(r"[^\n]+", text):
        base = paragraph.start()
        for span in _segmenter().segment(paragraph.group()):
            piece = span.sent
            stripped = piece.strip()
            if not stripped:
                continue
            start = base + span.start + (len(piece) - len(piece.lstrip()))
            sentences.append(Sentence(start + offset, start + offset + len(stripped), stripped))
    return sentences
