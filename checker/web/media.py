"""What checker accepts from the web, by media type: pages are HTML, feeds are XML; anything
else (a PDF, an image) is refused with a reason a user can act on."""

from __future__ import annotations

import email.message
from typing import Literal

Kind = Literal["page", "feed"]

# What each kind of fetch accepts, by media type. A page must be HTML; a feed is XML (some
# servers label feeds text/html or text/plain, so those pass too and the parser decides).
ACCEPTED: dict[Kind, tuple[str, ...]] = {
    "page": ("text/html", "application/xhtml+xml"),
    "feed": (
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "text/html",
        "text/plain",
        "application/feed+json",
    ),
}
ACCEPT_HEADER: dict[Kind, str] = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
}


def content_type(header: str) -> tuple[str, str | None]:
    """(media type, declared charset or None) of a Content-Type header."""
    message = email.message.Message()
    message["content-type"] = header
    media = header.split(";", 1)[0].strip().lower()
    charset = message.get_param("charset")
    return media, (str(charset).strip().lower() if isinstance(charset, str) and charset.strip() else None)


def refusal(media_type: str, kind: Kind) -> str:
    what = (
        "a PDF"
        if media_type == "application/pdf"
        else "an image"
        if media_type.startswith("image/")
        else "a video"
        if media_type.startswith("video/")
        else "audio"
        if media_type.startswith("audio/")
        else media_type
    )
    wanted = "an HTML page" if kind == "page" else "an RSS or Atom feed"
    return f"is {what} ({media_type}), not {wanted}"


def looks_like(head: bytes, kind: Kind) -> bool:
    text = head.lstrip().lower()
    if kind == "page":
        return text.startswith((b"<!doctype html", b"<html")) or b"<body" in text or b"<head" in text
    return text.startswith(b"<?xml") or b"<rss" in text or b"<feed" in text or b"<rdf" in text
