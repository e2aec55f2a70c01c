"""A sentence's statement without its attribution: who said it is the claim's speaker, not
part of what happened.

"Russian forces have not withdrawn from Kyiv, officials said." states that the forces have
not withdrawn; the offline judge read the attribution as hedging and said `agree` to "Russian
forces have withdrawn from Kyiv". It reads the statement; the quote keeps the whole sentence.
"""

from __future__ import annotations

import re

_VERBS = (
    r"(?:said|says|told(?: \w+)?|added|noted|stated|confirmed|claimed|insisted|argued|warned|reported|announced|explained|"
    r"acknowledged|admitted|wrote|tweeted|posted)"
)
_WHEN = r"(?:\s+(?:on\s+)?(?:\w+day|today|yesterday|last\s+\w+|this\s+\w+|in\s+a\s+\w+(?:\s+\w+)?))?"
_END = r"\s*(?P<end>[.!]?)[\"”’']?\s*$"
_TRAILING = (
    # "..., officials said." / "...,” Kirby told reporters on Tuesday."
    re.compile(rf"[,”\"]+\s*(?:[^,;:]{{1,70}}?)\s+{_VERBS}{_WHEN}{_END}"),
    # "..., said a senior U.S. defense official."
    re.compile(rf"[,”\"]+\s*{_VERBS}\s+[^,;:]{{1,70}}?{_END}"),
    # "..., according to the Pentagon."
    re.compile(rf",\s*according to [^,;:]{{1,70}}?{_END}"),
)
_LEADING = (
    re.compile(r"^According to [^,;:]{1,70},\s*", re.I),
    # "Officials said that ...", "Kirby told reporters the ..."
    re.compile(rf"^(?:[A-Z][\w.'-]*(?:\s+[\w.'-]+){{0,6}}?)\s+{_VERBS}(?:\s+that)?\s+(?=[\w“\"])"),
)
_QUOTES = "\"“”‘’'"


def statement_of(sentence: str) -> str:
    """``sentence`` without a leading or trailing attribution (or itself if it has none, or
    if taking it away would leave too little to be a statement)."""
    text = sentence.strip()
    for pattern in _TRAILING:
        match = pattern.search(text)
        if match and match.start() > 0:
            text = text[: match.start()].rstrip(" ,") + (match.group("end") or ".")
            break
    for pattern in _LEADING:
        match = pattern.match(text)
        rest = text[match.end() :] if match else ""
        # "Russia has said it will ..." keeps its subject: "it" alone would name nobody.
        if match and not re.match(r"(?:it|he|she|they|we|i|you)\b", rest, re.I):
            text = rest[:1].upper() + rest[1:]
            break
    text = text.strip(_QUOTES + " ")
    return text if len(re.findall(r"[^\W\d_]{2,}", text)) >= 3 else sentence.strip()
