"""A news site on 127.0.0.1 for the web-ingest tests: real articles in real-looking pages,
RSS and Atom feeds, and the faults the web has.

The articles are the sample corpus's (corpus/*.md), each in a page with what real pages have
around an article: navigation, a cookie banner, related links, comments, a footer. The HTML
is written here, by hand. Two wire pages carry one agency story under two outlets' names.

Faults, one path each: 404, 500 then 200, 429 with Retry-After then 200, a page that never
finishes, a 50 MB body, a redirect loop, a PDF, latin-1 without a declared charset, gzip, a
robots.txt disallowing /private/, and 304 for a request whose validators match.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import frontmatter

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
MODIFIED = format_datetime(__import__("datetime").datetime(2022, 4, 7, 12, 0, tzinfo=__import__("datetime").UTC), usegmt=True)

COOKIE_BANNER = "We use cookies to improve your experience and to show personalised advertising. Accept all cookies or manage your choices."
COMMENT = "Reader comment: this is the worst reporting I have seen all year, cancel my subscription now."
RELATED = "Related: Ten celebrity kitchens you will not believe"
NAV = "Home World Politics Business Opinion Sport Culture"


@dataclass
class Story:
    slug: str
    outlet: str
    title: str
    published: str | None  # ISO date in the page's metadata; None: the page shows no date
    paragraphs: list[str]
    site: str = "outlet"  # first path segment


def corpus_stories() -> list[Story]:
    stories = []
    for path in sorted(CORPUS.glob("*.md")):
        post = frontmatter.load(path)
        paragraphs = [p.strip() for p in post.content.split("\n\n") if p.strip() and not p.lstrip().startswith("#")]
        stories.append(Story(path.stem, str(post["outlet"]), str(post["title"]), str(post["published"]), paragraphs))
    return stories


# The agency story two outlets carry: the same paragraphs, each outlet its own headline, and
# one outlet drops the last paragraph (as republishers do).
WIRE = [
    "KYIV, Ukraine (Wire) — Ukrainian officials said on Monday that a convoy of 40 trucks carrying food and medicine reached the city of Chernihiv after two weeks of talks.",
    "The regional governor said the trucks arrived late on Sunday and that distribution would begin at 14 points across the city on Monday morning.",
    "About 120,000 people remain in Chernihiv, which has been without running water for nine days, according to the city council.",
    "The Red Cross said its teams accompanied the convoy and that a second one was planned for Thursday if the roads stayed open.",
    "Russian officials did not comment on the convoy. The Ministry of Defence in Moscow said on Sunday that its forces were regrouping in the north.",
]


def wire_stories() -> list[Story]:
    return [
        Story("convoy-reaches-chernihiv", "Daily Ledger", "Aid convoy reaches Chernihiv after two weeks of talks", "2022-04-04", WIRE, "ledger"),
        Story("chernihiv-aid-arrives", "Morning Courier", "Forty trucks of aid arrive in besieged Chernihiv", "2022-04-05", WIRE[:-1], "courier"),
    ]


def page_html(story: Story, base: str, charset: str | None = "utf-8") -> str:
    """A real-looking page around the story; ``charset`` None declares none anywhere."""
    meta_date = f'<meta property="article:published_time" content="{story.published}T09:30:00Z">' if story.published else ""
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head>{meta_charset}
<title>{html.escape(story.title)} | {html.escape(story.outlet)}</title>
<meta property="og:site_name" content="{html.escape(story.outlet)}">
<meta property="og:title" content="{html.escape(story.title)}">
{meta_date}
<link rel="canonical" href="{base}/{story.site}/{story.slug}.html">
<script>window.tracker = function() {{ document.title = "executed"; }}; tracker();</script>
</head><body>
<header><nav><ul>{"".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in NAV.split())}</ul></nav></header>
<div class="cookie-banner" id="consent"><p>{COOKIE_BANNER}</p><button>Accept</button></div>
<main><article>
<h1>{html.escape(story.title)}</h1>
<p class="byline">By Staff Reporter</p>
{body}
</article>
<aside class="related"><h2>More stories</h2><ul><li><a href="/related/1">{RELATED}</a></li></ul></aside>
<section id="comments" class="comments"><h2>Comments (12)</h2><div class="comment"><p>{COMMENT}</p></div></section>
</main>
<footer><p>© 2022 {html.escape(story.outlet)}. All rights reserved. Terms · Privacy · Contact</p></footer>
</body></html>"""


def rss(stories: list[Story], base: str) -> str:
    items = "".join(
        f"<item><title>{html.escape(s.title)}</title><link>{base}/{s.site}/{s.slug}.html</link>"
        f"<guid>{base}/{s.site}/{s.slug}.html</guid><pubDate>{_rfc822(s.published)}</pubDate></item>"
        for s in stories
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title><link>{base}/</link><description>All the news</description>{items}</channel></rss>'


def atom(stories: list[Story], base: str) -> str:
    entries = "".join(
        f'<entry><title>{html.escape(s.title)}</title><link href="{base}/{s.site}/{s.slug}.html"/><id>{base}/{s.site}/{s.slug}</id>'
        f"<updated>{s.published or '2022-04-01'}T10:00:00Z</updated></entry>"
        for s in stories
    )
    return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><id>{base}/</id><updated>2022-04-07T00:00:00Z</updated>{entries}</feed>'


def _rfc822(date: str | None) -> str:
    import datetime as dt

    day = dt.date.fromisoformat(date) if date else dt.date(2022, 4, 1)
    return format_datetime(dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=dt.UTC), usegmt=True)


@dataclass
class Site:
    """The server's content and what it was asked (the tests read ``requests``)."""

    base: str = ""
    stories: list[Story] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    revised: set[str] = field(default_factory=set)  # slugs whose page now has a corrected paragraph
    lock: threading.Lock = field(default_factory=threading.Lock)
    hang_seconds: float = 60.0

    def story(self, site: str, slug: str) -> Story | None:
        return next((s for s in self.stories if s.site == site and s.slug == slug), None)

    def count(self, path: str) -> int:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            return self.hits[path]

    def page_requests(self) -> list[str]:
        with self.lock:
            return [p for p in self.requests if p.endswith(".html")]


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        site = self.site
        path = self.path.split("?", 1)[0]
        with site.lock:
            site.requests.append(path)
        handler = getattr(self, "route_" + path.strip("/").replace("/", "_").replace(".", "_").replace("-", "_"), None)
        if handler is not None:
            handler()
            return
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[1].endswith(".html"):
            story = site.story(parts[0], parts[1][: -len(".html")])
            if story is not None:
                text = page_html(story, site.base)
                if story.slug in site.revised:
                    text = text.replace(
                        "</article>", "<p>Correction: an earlier version of this story misstated the date of the briefing.</p></article>"
                    )
                self.send_body(text.encode("utf-8"), "text/html; charset=utf-8", validators=True)
                return
        self.send_error_page(404)

    # -- helpers --------------------------------------------------------------------------

    def send_body(self, body: bytes, content_type: str, validators: bool = False, extra: dict[str, str] | None = None) -> None:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if validators and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        if content_type:
            self.send_header("Content-Type", content_type)
        if validators:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", MODIFIED)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_error_page(self, status: int, extra: dict[str, str] | None = None) -> None:
        body = f"<html><body><h1>{status}</h1></body></html>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # -- feeds and robots -----------------------------------------------------------------

    def route_feed_xml(self) -> None:
        stories = [s for s in self.site.stories if s.site == "outlet"]
        self.send_body(rss(stories, self.site.base).encode(), "application/rss+xml", validators=True)

    def route_atom_xml(self) -> None:
        stories = [s for s in self.site.stories if s.site == "outlet"]
        self.send_body(atom(stories, self.site.base).encode(), "application/atom+xml", validators=True)

    def route_wire_xml(self) -> None:
        stories = [s for s in self.site.stories if s.site in ("ledger", "courier")]
        self.send_body(rss(stories, self.site.base).encode(), "application/rss+xml", validators=True)

    def route_robots_txt(self) -> None:
        self.send_body(b"User-agent: *\nDisallow: /private/\n", "text/plain")

    def route_private_secret_html(self) -> None:
        self.send_body(page_html(self.site.stories[0], self.site.base).encode(), "text/html")

    # -- faults ---------------------------------------------------------------------------

    def route_flaky_html(self) -> None:
        if self.site.count("flaky") == 1:
            self.send_error_page(500)
        else:
            self.send_body(page_html(self.site.stories[1], self.site.base).encode(), "text/html; charset=utf-8")

    def route_busy_html(self) -> None:
        if self.site.count("busy") == 1:
            self.send_error_page(429, {"Retry-After": "1"})
        else:
            self.send_body(page_html(self.site.stories[2], self.site.base).encode(), "text/html; charset=utf-8")

    def route_hang_html(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"<html><body><p>The start of a page that never ")
        self.wfile.flush()
        time.sleep(self.site.hang_seconds)

    def route_huge_html(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(50_000_000))
        self.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(50):
                self.wfile.write(b"<p>" + b"x" * 999_993 + b"</p>\n")

    def route_endless_html(self) -> None:
        """50 MB with no Content-Length: only the running count can stop it."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(50):
                self.wfile.write(b"<p>" + b"y" * 999_993 + b"</p>\n")
        self.close_connection = True

    def route_loop_html(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/loop.html")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route_report_pdf(self) -> None:
        self.send_body(b"%PDF-1.7\n1 0 obj << >> endobj\n", "application/pdf")

    def route_photo_jpg(self) -> None:
        self.send_body(b"\xff\xd8\xff\xe0JFIF", "image/jpeg")

    def route_latin1_html(self) -> None:
        story = Story(
            "latin1",
            "Le Monde Diplomatique",
            "Défense: la capitale reste sous pression",
            "2022-03-30",
            [
                "Les forces russes se sont repliées au nord de la capitale, a déclaré le ministère de la Défense à la presse étrangère.",
                "Selon les autorités, près de 700 véhicules ont été aperçus sur la route de Tchernihiv, une colonne qui s'étire sur des kilomètres.",
            ],
        )
        self.send_body(page_html(story, self.site.base, charset=None).encode("latin-1"), "text/html")

    def route_gzipped_html(self) -> None:
        if "gzip" not in self.headers.get("Accept-Encoding", ""):
            self.send_error_page(406)
            return
        body = gzip.compress(page_html(self.site.stories[3], self.site.base).encode("utf-8"))
        self.send_body(body, "text/html; charset=utf-8", extra={"Content-Encoding": "gzip"})

    def route_not_a_feed_xml(self) -> None:
        self.send_body(b"<html><body><p>Nothing here is a feed.</p></body></html>", "text/html")

    def route_index_html(self) -> None:
        links = "".join(f'<li><a href="/{s.site}/{s.slug}.html">{html.escape(s.title)}</a></li>' for s in self.site.stories)
        self.send_body(f"<html><body><nav><ul>{links}</ul></nav></body></html>".encode(), "text/html")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client giving up on a fault page (a cap reached, a timeout) breaks the pipe: expected
        here, and socketserver's traceback on stderr would read as the command's own."""
        return


@contextlib.contextmanager
def serving(stories: list[Story] | None = None, host: str = "127.0.0.1") -> Iterator[Site]:
    """The site on ``host`` (any 127.x address) at a free port, for the duration."""
    site = Site(stories=stories if stories is not None else corpus_stories() + wire_stories())
    handler = type("Handler", (_Handler,), {"site": site})
    server = _Server((host, 0), handler)
    site.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
