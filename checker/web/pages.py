"""A fetched news page as an article: text, title, outlet, date, canonical URL.

trafilatura finds the article among the navigation, cookie banners, related links and
comments of a real page, and reads its title, site name and date (through htmldate). The
date is the page's own (its metadata or its URL, never a year in a copyright line), else the
feed entry's, else unknown: never the day it was fetched. The outlet is the user's name for the domain
(``Outlets``), else the page's site name, else the domain.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from checker.articles.loading import HTML_DATES, MIN_ARTICLE_CHARS, build_article
from checker.errors import InputError
from checker.schemas import Article
from checker.web.client import Fetched, FetchError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


@dataclass(frozen=True)
class Page:
    """What the web adds to an article: where it was read and when."""

    article: Article
    url: str  # as asked
    canonical_url: str
    fetched_at: dt.datetime


def decode(fetched: Fetched) -> str:
    """The page's text: the charset the server declared, else the one the page declares in a
    meta tag, else trafilatura's detection (UTF-8 first, then charset_normalizer)."""
    from trafilatura.utils import decode_file

    for declared in (fetched.charset, _meta_charset(fetched.content)):
        if declared and _known(declared):
            return fetched.content.decode(declared, errors="replace")
    return decode_file(fetched.content)


def _meta_charset(content: bytes) -> str | None:
    found = _META_CHARSET.search(content[:4096])
    return found.group(1).decode("ascii", "ignore").lower() if found else None


def _known(charset: str) -> bool:
    try:
        codecs.lookup(charset)
    except LookupError:
        return False
    return True


def canonical(url: str) -> str:
    """One spelling per page: lower-case host, default port and fragment dropped, tracking
    parameters (utm_*, fbclid...) removed (courlan's strict normalisation)."""
    import courlan

    return courlan.normalize_url(url, strict=True)


def domain(url: str) -> str:
    """The registered domain (www.bbc.co.uk -> bbc.co.uk), or the host for addresses that have
    none (127.0.0.1)."""
    import courlan

    return courlan.extract_domain(url) or (urlsplit(url).hostname or url)


class Outlets:
    """The user's names for domains: a file of ``domain = Outlet name`` lines (``#`` comments).
    A domain covers its subdomains: ``bbc.co.uk`` names www.bbc.co.uk and news.bbc.co.uk."""

    def __init__(self, names: dict[str, str] | None = None) -> None:
        self.names = {k.lower().strip("."): v for k, v in (names or {}).items()}

    @classmethod
    def read(cls, path: Path) -> Outlets:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the outlets file ({exc.__class__.__name__})", "Give a UTF-8 text file") from None
        names: dict[str, str] = {}
        for number, line in enumerate(lines, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            host, sep, name = (part.strip() for part in line.partition("="))
            if not sep or not host or not name:
                raise InputError(f"{path}:{number}: not a 'domain = Outlet name' line", "Write one mapping per line, e.g. bbc.co.uk = BBC News")
            names[host] = name
        return cls(names)

    def name_of(self, url: str) -> str | None:
        host = (urlsplit(url).hostname or "").lower()
        while host:
            if host in self.names:
                return self.names[host]
            host = host.partition(".")[2]
        return None


def article_of(fetched: Fetched, outlets: Outlets, entry_date: dt.date | None = None, entry_title: str | None = None) -> Page:
    """The article on a fetched page; FetchError naming the URL when there is none."""
    import trafilatura

    html = decode(fetched)
    doc: Any = trafilatura.bare_extraction(
        html,
        url=fetched.final_url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params=HTML_DATES,
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(text.strip()) < MIN_ARTICLE_CHARS:
        raise FetchError(fetched.url, "no article text found on this page", "Give the article's own address, not an index, login or consent page")
    page_url = _same_site(getattr(doc, "url", None), fetched.final_url)
    canonical_url = canonical(page_url)
    published = _date(getattr(doc, "date", None)) or entry_date
    meta = {
        "title": getattr(doc, "title", None) or entry_title,
        "author": getattr(doc, "author", None),
        "published": published,
        "outlet": outlets.name_of(canonical_url) or site_name(html) or getattr(doc, "sitename", None) or domain(canonical_url),
        "url": canonical_url,
    }
    try:
        article = build_article(fetched.url, {k: v for k, v in meta.items() if v}, text)
    except FetchError:
        raise
    except InputError as exc:
        raise FetchError(fetched.url, exc.message.removeprefix(f"{fetched.url}: "), exc.hint) from None
    return Page(article, fetched.url, canonical_url, fetched.fetched_at)


_SITE_NAME = re.compile(r"""<meta\s[^>]*property\s*=\s*["']og:site_name["'][^>]*>""", re.I)
_CONTENT = re.compile(r"""content\s*=\s*["']([^"']{1,80})["']""", re.I)


def site_name(page: str) -> str | None:
    """The outlet's name as the page spells it (og:site_name): trafilatura re-cases some
    names ("eSocialNews" became "Esocialnews")."""
    import html as entities

    tag = _SITE_NAME.search(page[:200_000])
    found = _CONTENT.search(tag.group(0)) if tag else None
    return entities.unescape(found.group(1)).strip() or None if found else None


def _same_site(declared: str | None, final_url: str) -> str:
    """The page's canonical link when it points at the same host (a page cannot make itself
    another site's article), else the address it was served from."""
    if declared and urlsplit(declared).scheme in ("http", "https") and urlsplit(declared).hostname == urlsplit(final_url).hostname:
        return declared
    return final_url


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
