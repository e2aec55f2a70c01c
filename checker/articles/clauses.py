"""Clauses of a sentence: the parts of a multi-fact sentence that can each be true or false.

"Kirby said the United States had seen a small number of Russian troops withdraw from Kiev,
but said it was too soon to say whether ..." makes two claims. Judged as one, another report
that confirms the first and is silent on the second leaves the whole `not_addressed`, and a
report that contradicts only one part is hard for the judge to see. Split, each part gets its
own verdict and its own verbatim span.

Only boundaries that join two statements are cut: ", but", ", while", ", though",
", although", ", yet", ";", and ", and" before a pronoun subject ("..., and they ..."). A
comma before "and" followed by a noun is usually a list ("Kyiv, and the city of Chernihiv"),
so it is never cut. A part shorter than ``min_words`` stays joined to the part before it, so
no claim is a fragment such as "yet it did".
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(
    r",\s+(?=(?:but|while|though|although|yet)\s)"
    r"|;\s+"
    r"|,\s+(?=and\s+(?:he|she|they|it|we|I)\s)"
)
# The conjunction that opened a clause belongs to the joint, not to the claim.
_LEADING = re.compile(r"(?:but|while|though|although|yet|and)\s+")


def split(text: str, start: int = 0, min_words: int = 6) -> list[tuple[int, int]]:
    """Spans (offsets into ``text`` plus ``start``) of the clauses of the sentence ``text``;
    the whole sentence when it has no boundary both of whose sides are long enough."""
    pieces: list[tuple[int, int]] = []
    begin = 0
    for joint in _BOUNDARY.finditer(text):
        pieces.append((begin, joint.start()))
        begin = joint.end()
    pieces.append((begin, len(text)))

    spans: list[tuple[int, int]] = []
    for lo, hi in pieces:
        lead = _LEADING.match(text, lo) if lo else None  # only a joint's conjunction, never the sentence's own first word
        body = lead.end() if lead else lo
        if spans and len(text[body:hi].split()) < min_words:
            spans[-1] = (spans[-1][0], hi)  # too short alone: rejoin the clause before
        else:
            spans.append((body, hi))
    if len(spans) > 1 and len(text[spans[0][0] : spans[0][1]].split()) < min_words:
        spans[0:2] = [(spans[0][0], spans[1][1])]
    return [(start + lo, start + hi) for lo, hi in spans]
