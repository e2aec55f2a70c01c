"""Removing web boilerplate from plain-text captures of news articles.

HTML goes through trafilatura, which sees the page structure. Plain-text captures (what a
copy from a browser or a scraper's text dump gives) have lost that structure, so here each
paragraph is judged by named rules. A rule must never match an ordinary article sentence:
tests pin both the boilerplate removed from the seed corpus and the sentences kept.

The header of a capture (title, standfirst, byline, dateline) is read for metadata; the
title stays in the text because a headline is a claim the outlet makes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from dateutil import parser as date_parser

_SENTENCE_END = re.compile(r"[.!?…:;]['\"’”)\]]*$|['\"’”]$")
_WORDS = re.compile(r"\S+")
_BULLET = re.compile(r"^[•●▪◦·\-–*]\s+")

# One paragraph each; matched against the whole stripped paragraph, case-insensitively.
_LINE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("notification-prompt", re.compile(r"(stay up to date with notifications from .*|notifications can be managed in browser preferences\.?)")),
    (
        "comment-form",
        re.compile(
            r"(comments?|join our commenting forum|join thought-provoking conversations.*|thank you for registering"
            r"|please refresh the page.*|leave a reply|your email address will not be published.*"
            r"|required fields are marked.*|log ?in to comment|show comments)"
        ),
    ),
    (
        "share-widget",
        re.compile(
            r"(.*%d bloggers like this:?|source link|advertisement|podcasts|share this article|share on \w+"
            r"|read more|related articles?|world news|sign up for .* newsletter.*)"
        ),
    ),
    ("media-timestamp", re.compile(r"\d{1,2}:\d{1,2}(:\d{1,2})?")),
    ("see-also-link", re.compile(r"see also\b.*")),
    (
        "photo-credit",
        re.compile(
            r"((photo|image|picture|credit|video)\s*:.*"
            r"|.*\([^()]*\b(getty images|reuters|ap photo|afp|shutterstock|epa)\b[^()]*\)\s*)"
        ),
    ),
    ("breadcrumb", re.compile(r"home\s+(\w+\s+)+.*\|\s*[\w .'-]+")),
]

# Paragraphs that ask the reader for money: a request word together with the outlet
# speaking of itself. Article sentences quote "we" often, but never beside "donation".
_APPEAL_TERMS = re.compile(r"\b(donat(e|es|ion|ions)|paywalls?|subscri(be|ption)|support (us|our journalism))\b", re.I)
_FIRST_PERSON = re.compile(r"\b(we|us|our)\b", re.I)
# Appeal boxes with a heading: everything from the heading to its sign-off goes.
_APPEAL_BLOCK_START = re.compile(r"your support (helps|matters|makes)", re.I)
_APPEAL_BLOCK_END = re.compile(r"your support makes all the difference", re.I)

_DATELINE = re.compile(
    r"((mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(\d{1,2}\s+[a-z]{3,9},?\s+\d{4}|[a-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2})"
    r"(,?\s+(at\s+)?\d{1,2}:\d{2}(\s*[ap]\.?m\.?)?(\s+[a-z]{2,5})?)?\.?",
    re.I,
)
_BYLINE = re.compile(r"(by\s+)?[A-Z][a-zA-Z'’.-]+(\s+[A-Z][a-zA-Z'’.-]+){1,3}")
# Only '|' separates a site name reliably: dashes also join clauses inside headlines.
_SITE_SUFFIX = re.compile(r"^(?P<title>.{10,}?)\s+\|\s+(?P<site>[\w][\w .'&-]{1,40})$")
# An appeal box longer than this without its sign-off is not one: keep the text.
_APPEAL_BLOCK_MAX = 8
# Bylines and datelines sit among the first few paragraphs (title, standfirst, caption).
_HEADER_PARAGRAPHS = 4


@dataclass
class CleanText:
    text: str
    title: str = ""
    author: str | None = None
    published: dt.date | None = None
    site: str | None = None
    removed: list[tuple[str, str]] = field(default_factory=list)


def paragraphs(raw: str) -> list[str]:
    """Split into paragraphs: one per line, joining lines that were only wrapped."""
    out: list[str] = []
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(line.split())
        if not line:
            out.append("")
            continue
        previous = out[-1] if out else ""
        # A hard-wrapped paragraph continues in lower case after a line with no ending.
        if previous and not _SENTENCE_END.search(previous) and re.match(r"^['\"‘“(]?[a-z]", line):
            out[-1] = f"{previous} {line}"
        else:
            out.append(line)
    return [p for p in out if p]


def is_sentence(paragraph: str) -> bool:
    return bool(_SENTENCE_END.search(paragraph))


def clean(raw: str) -> CleanText:
    """Cleaned body text plus what the capture's header says about the article."""
    result = CleanText(text="")
    kept: list[str] = []
    seen: set[str] = set()
    items = [_BULLET.sub("", p) for p in paragraphs(raw)]
    appeal_left = 0
    body_started = False

    for i, para in enumerate(items):
        lowered = para.lower()
        following = items[i + 1] if i + 1 < len(items) else ""

        if appeal_left == 0 and _APPEAL_BLOCK_START.match(para):
            appeal_left = _appeal_block_length(items[i:]) or 1  # the heading alone, at least
        if appeal_left:
            appeal_left -= 1
            result.removed.append(("donation-appeal", para))
            continue
        rule = _line_rule(para)
        if rule is None and _APPEAL_TERMS.search(para) and _FIRST_PERSON.search(para):
            rule = "donation-appeal"
        if rule is None and _icon_list(para):
            rule = "icon-list"
        if rule is None and _line_rule(following) == "photo-credit" and len(_WORDS.findall(para)) <= 30:
            rule = "image-alt-text"
        if rule is None and lowered in seen:
            rule = "repeated-line"
        if rule is None and len(kept) <= _HEADER_PARAGRAPHS:
            rule = _read_header_line(para, result)
        if rule is None and body_started and not is_sentence(para) and len(_WORDS.findall(para)) <= 14:
            # A short unpunctuated line inside the body is a link to another story.
            rule = "related-headline"
        if rule is not None:
            result.removed.append((rule, para))
            continue

        if not result.title and not body_started and len(_WORDS.findall(para)) <= 30:
            result.title, site = _split_site(para)
            result.site = result.site or site
            para = result.title
        elif not body_started and is_sentence(para) and len(_WORDS.findall(para)) >= 15:
            body_started = True
        seen.add(para.lower())
        seen.add(lowered)
        kept.append(para)

    result.text = "\n\n".join(kept)
    return result


def _appeal_block_length(items: list[str]) -> int:
    """Paragraphs from an appeal heading to its sign-off, or 0 if no sign-off follows soon."""
    for offset, para in enumerate(items[:_APPEAL_BLOCK_MAX]):
        if _APPEAL_BLOCK_END.match(para):
            return offset + 1
    return 0


def boilerplate(sentence: str) -> str | None:
    """The rule a sentence falls under when it is page furniture or an appeal to the reader
    rather than reporting (the same rules cleaning applies to whole paragraphs), else None.
    Claim extraction drops what a model proposes from such a sentence."""
    text = " ".join(sentence.split())
    if _APPEAL_TERMS.search(text) and _FIRST_PERSON.search(text):
        return "donation-appeal"
    return _line_rule(text)


def _line_rule(para: str) -> str | None:
    for name, pattern in _LINE_RULES:
        if pattern.fullmatch(para.lower()):
            return name
    return None


def _icon_list(para: str) -> bool:
    return sum("icon" in word.lower() for word in _WORDS.findall(para)) >= 5


def _read_header_line(para: str, result: CleanText) -> str | None:
    """Header lines that are metadata, not text: the dateline and the byline."""
    if _DATELINE.fullmatch(para):
        if result.published is None:
            result.published = parse_date(para)
        return "dateline"
    if result.title and result.author is None and _BYLINE.fullmatch(para) and len(para) <= 40:
        result.author = re.sub(r"^by\s+", "", para, flags=re.I)
        return "byline"
    return None


def _split_site(title: str) -> tuple[str, str | None]:
    """'Headline | Site' -> ('Headline', 'Site')."""
    match = _SITE_SUFFIX.match(title)
    if match and len(match["site"].split()) <= 4:
        return match["title"].strip(), match["site"].strip()
    return title, None


_ISO_DATE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})")


# Two far-apart defaults: a part of a date that dateutil filled in from its default (today's
# date, unless told otherwise) differs between them.
_DEFAULTS = (dt.datetime(1901, 1, 1), dt.datetime(2002, 2, 2))


def parse_date(text: str) -> dt.date | None:
    """A date from an ISO stamp or from words ("Friday 25 February 2022", "Jan 25, 2022").

    Only a date that states its year, month and day: "next Tuesday", "March 2022" or
    "yesterday" give None rather than a date invented from today's clock.
    """
    iso = _ISO_DATE.match(text)
    try:
        if iso:
            return dt.date.fromisoformat(iso.group(1))
        # Month-first for all-numeric dates, as US outlets write them.
        first, second = (date_parser.parse(text, fuzzy=True, ignoretz=True, default=d).date() for d in _DEFAULTS)
    except (ValueError, OverflowError):
        return None
    return first if first == second else None
