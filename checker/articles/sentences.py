"""Sentences with character offsets, from pysbd's rule-based segmenter (no model, no data).

Paragraph breaks always end a sentence; within a paragraph pysbd handles abbreviations
("U.S.", "Mr.") and quotations that a naive split on full stops gets wrong.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


_local = threading.local()


def _segmenter():  # type: ignore[no-untyped-def]
    """One segmenter per thread: a pysbd Segmenter keeps the text it is working on in
    itself, so judges running in a thread pool that shared one got each other's sentences."""
    segmenter = getattr(_local, "segmenter", None)
    if segmenter is None:
        import pysbd

        segmenter = _local.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return segmenter


def split(text: str, offset: int = 0) -> list[Sentence]:
    """The sentences of ``text``; offsets are into ``text`` plus ``offset``."""
    sentences: list[Sentence] = []
    for paragraph in re.finditer(r"[^\n]+", text):
        base = paragraph.start() + offset
        sentences.extend(Sentence(base + start, base + start + len(stripped), stripped) for start, stripped in _paragraph(paragraph.group()))
    return sentences


@lru_cache(maxsize=4096)
def _paragraph(paragraph: str) -> tuple[tuple[int, str], ...]:
    """(start, sentence) within one paragraph. Cached because the same passages come back
    for claim after claim (a compare judges every claim against the other article's closest
    passages), and pysbd takes about 2 ms a paragraph: more than the rest of a judge call."""
    found = []
    for span in _segmenter().segment(paragraph):
        piece = span.sent
        stripped = piece.strip()
        if stripped:
            found.append((span.start + (len(piece) - len(piece.lstrip())), stripped))
    return tuple(found)
