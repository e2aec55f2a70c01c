"""Figures and place names beside the offline judge's model.

The model reads "85,000 troops" against "8,500 troops" as a paraphrase: the two sentences
share every other word. So figures are compared beside it, deterministically: the same
thing (the word after the number) counted differently, a different amount of money, or one
count of time given in another unit ("two weeks" against "two months"). Place names
with two spellings ("Kiev", "Kyiv") are given one before the model reads them.
"""

from __future__ import annotations

import re

# "bn" and "m" are scales only after a currency sign ("$5bn"); otherwise "5m" is metres.
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
_WORDS = {
    w: float(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {"thirty": 30.0, "forty": 40.0, "fifty": 50.0, "hundred": 100.0, "dozen": 12.0}
# An amount of money is compared whatever words follow it ("$10 million in aid" against
# "$100 million of assistance"), within its currency.
_CURRENCY = {"$": "$", "us$": "$", "£": "£", "€": "€"}
_FIGURE = re.compile(
    r"(US\$|\$|£|€)?\s?(?<![\w.])(\d[\d,]*(?:\.\d+)?|(?:" + "|".join(_WORDS) + r")\b)\s*"
    r"((?:million|billion|trillion|thousand|percent|bn|m)\b|%)?\s*([a-z]+)?",
    re.I,
)
_AGO = re.compile(r"\s+(?:ago|earlier|before)\b", re.I)
# Words after a number that say nothing about what it counts ("one of the", "two in ten").
_NOT_A_UNIT = {
    "of",
    "the",
    "a",
    "an",
    "and",
    "or",
    "in",
    "to",
    "on",
    "at",
    "for",
    "by",
    "from",
    "with",
    "as",
    "per",
    "than",
    "that",
    "who",
    "which",
    "is",
    "are",
    "was",
    "were",
    "more",
    "other",
    "others",
    "such",
}
_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.4, "year": 365.0}
# Two figures within this relative distance are the same figure rounded ("about 8,500").
SAME_FIGURE = 0.02


def _unit(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def figures(text: str) -> dict[str, set[float]]:
    """Numbers keyed by the word after them ('troop', 'refugee'), scaled ('4 million' -> 4e6);
    amounts of money by their currency ('money $'); spans of time also in days, keyed by their
    count ('2 weeks' -> 'span of 2': 14 days). Years are dates, not quantities: skipped.

    Why spans are keyed by their count: a report gives many spans of time ("in the last 24
    hours", "for eight years") and one sentence's span is seldom the other's, so spans in
    different units are compared only where the count is the same and the unit changed
    ("two weeks" against "two months"), the mark of one figure retold wrongly. Spans in one
    unit are compared under that unit ('week') like any other count."""
    found: dict[str, set[float]] = {}
    for match in _FIGURE.finditer(text):
        currency, number, scale, unit = match.group(1) or "", match.group(2), (match.group(3) or "").lower(), match.group(4) or ""
        if _AGO.match(text, match.end()):
            continue  # "three days ago" is a date relative to the report, not a span
        if scale in ("bn", "m") and not currency:
            continue
        if number[0].isdigit():
            try:
                value = float(number.replace(",", ""))
            except ValueError:
                continue
            if 1900 <= value <= 2100 and not (scale or currency) and "," not in number:  # a year
                continue
        elif number.lower() in _WORDS:
            value = _WORDS[number.lower()]
        else:
            continue
        value *= _SCALE.get(scale, 1.0)
        if currency:
            key = "money " + _CURRENCY[currency.lower()]
        elif scale in ("percent", "%"):
            key = "percent"  # "7% of voters", "7 percent of the vote": the share is what is compared
        elif not unit or unit.lower() in _NOT_A_UNIT:
            continue
        else:
            key = _unit(unit)
        found.setdefault(key, set()).add(value)
        if key in _DAYS:
            found.setdefault(f"span of {value:g}", set()).add(value * _DAYS[key])
    return found


def _same(a: float, values: set[float]) -> bool:
    return any(abs(a - b) <= SAME_FIGURE * max(abs(a), abs(b), 1e-9) for b in values)


def numbers_disagree(claim: str, sentence: str, elsewhere: str = "") -> bool:
    """The same thing counted differently ('4 million refugees' vs '10 million refugees').

    ``elsewhere`` is the rest of the other report's evidence: a figure the claim gives that
    appears there too is not in conflict, even if this sentence gives another one."""
    a, b, rest = figures(claim), figures(sentence), figures(elsewhere)
    return any(unit in b and not _same(value, b[unit] | rest.get(unit, set())) for unit, values in a.items() for value in values)


# -- spelling -------------------------------------------------------------------------------
#
# Outlets transliterate place names differently ("Kiev" in older and Russian-sourced copy,
# "Kyiv" elsewhere); to the model two spellings are two words, so a paraphrase can read as
# unrelated. Both sides are read with one spelling; the quote stays verbatim.
_SPELLINGS = {
    "Kiev": "Kyiv",
    "Kharkov": "Kharkiv",
    "Odessa": "Odesa",
    "Chernigov": "Chernihiv",
    "Lvov": "Lviv",
    "Nikolaev": "Mykolaiv",
    "Nikolayev": "Mykolaiv",
    "Zaporozhye": "Zaporizhzhia",
    "Lugansk": "Luhansk",
    "Donbass": "Donbas",
    "Dnepr": "Dnipro",
    "Chernobyl": "Chornobyl",
}
_SPELLING = re.compile(r"\b(" + "|".join(_SPELLINGS) + r")(?=\b|'s\b)")


def same_spelling(text: str) -> str:
    """The text with one spelling per place name (model input only, never a quote)."""
    return _SPELLING.sub(lambda m: _SPELLINGS[m.group(1)], text)
