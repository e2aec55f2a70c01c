"""Corrective denials beside the offline judge's model: "a repositioning, not a withdrawal".

The seed case turns on this construction. One report quotes the Pentagon calling Russia's move
"a repositioning, not a major withdrawal"; another says the forces "have fully withdrawn". The
model reads the first as a paraphrase of the second (the two share their subject and their key
word), so a check beside it, like the figures check, looks for what one text denies with
", not B" and the other affirms. Plan and rule: docs/CORRECTIVE-DENIAL-PLAN.md.

Only the corrective form with its comma counts: "not" alone is too common in news ("Kirby
did not say ...", "rumours that he had not died") for a word match to mean a clash.
"""

from __future__ import annotations

import re

# ", not" then up to three words (quotation marks and articles skipped): what is denied.
_DENIAL = re.compile(r",\s*not\s+((?:[“”\"‘’']?[A-Za-z][\w'’-]*[“”\"‘’']?\s*){1,3})", re.I)
# ", not only ..." and the like add or hedge; they deny nothing.
_NOT_A_DENIAL = {"only", "just", "least", "even", "yet", "necessarily", "always", "quite", "so", "that", "to", "because"}
_FILLER = {"a", "an", "the", "any", "its", "their", "his", "her", "our", "this", "that", "these", "those"}
_NEGATION = {"not", "no", "never", "without", "nor"}
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
# A content word of at least five letters, compared by its first six: "withdrawal", "withdrawn".
_MIN_LETTERS, _STEM = 5, 6


def _stem(word: str) -> str:
    return word.lower()[:_STEM]


def denied(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Each ", not B" of ``text``: the stem of B's head (its last content word: "withdrawal" in
    "a major withdrawal", so "major" alone never matches "a major offensive"), and B's span."""
    found = []
    for match in _DENIAL.finditer(text):
        words = _WORD.findall(match.group(1))
        if not words or words[0].lower() in _NOT_A_DENIAL:
            continue
        content = [w for w in words if w.lower() not in _FILLER and len(w) >= _MIN_LETTERS]
        if content:
            found.append((_stem(content[-1]), match.span(1)))
    return found


def _affirms(text: str, stem: str) -> bool:
    """Whether ``text`` holds a word with ``stem``, neither negated in the three words before it
    nor itself inside a ", not" denial."""
    inside = [span for _, span in denied(text)]
    words = list(_WORD.finditer(text))
    for index, word in enumerate(words):
        if len(word.group()) < _MIN_LETTERS or _stem(word.group()) != stem:
            continue
        if any(lo <= word.start() < hi for lo, hi in inside):
            continue
        before = [w.group().lower() for w in words[max(0, index - 3) : index]]
        if any(w in _NEGATION or w.endswith(("n't", "n’t")) for w in before):
            continue
        return True
    return False


def denial_clash(claim: str, sentence: str) -> bool:
    """One text denies, with ", not B", what the other affirms: a contradiction the model
    reads as a paraphrase."""
    return any(_affirms(sentence, stem) for stem, _ in denied(claim)) or any(_affirms(claim, stem) for stem, _ in denied(sentence))
