"""RSS 2.0 and Atom feeds, read with feedparser: each entry's link, title and date.

feedparser takes the feed's bytes and finds their encoding itself; it never fetches
anything (the polite client does). A feed that is not a feed (an HTML page, garbage) is a
FetchError naming it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urljoin

from checker.web.client import Fetched, FetchError, check_url


@dataclass(frozen=True)
class Entry:
    link: str
    title: str | None
    published: dt.date | None  # the entry's date: a page's own date comes first
    updated: str | None  # the entry's updated stamp as written: a change means the page changed


def entries(fetched: Fetched) -> list[Entry]:
    """The feed's entries with a usable http(s) link, in feed order, each link once."""
    import feedparser

    parsed = feedparser.parse(fetched.content, response_headers={"content-location": fetched.final_url})
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        why = f" ({str(problem)[:80]})" if problem else ""
        raise FetchError(fetched.url, f"is not an RSS or Atom feed{why}", "Give the feed's address (often /feed, /rss or /atom.xml)")
    found: list[Entry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        link = item.get("link") or ""
        link = urljoin(fetched.final_url, link.strip())
        try:
            check_url(link)
        except FetchError:
            continue
        if link in seen:
            continue
        seen.add(link)
        found.append(Entry(link=link, title=item.get("title"), published=_date(item), updated=item.get("updated") or item.get("published")))
    return found


def _date(item: dict) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed"):
        stamp = item.get(key)
        if stamp:
            try:
                return dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
            except (AttributeError, ValueError):
                continue
    return None
