"""One polite, careful HTTP client for everything checker reads from the web.

Polite: a User-Agent naming checker and its version, at most ``per_host`` requests in flight
to one host and ``delay`` seconds between them (more if robots.txt asks a Crawl-delay),
robots.txt honoured unless switched off, retries of 429 and 5xx with backoff that waits as
long as Retry-After says (up to a cap).

Careful: http and https only; a connect timeout and a read timeout, and ``timeout`` seconds
for a URL's whole download, so a server that never finishes costs at most that; a size cap
checked on Content-Length and again while reading; a redirect cap; the content type checked
before the body is read (a PDF or an image is refused with the reason). Bytes come back as
they were sent, with the charset the server declared, if any: decoding is the reader's job
(trafilatura and feedparser find an undeclared charset in the document). Nothing fetched is
ever executed.

Every failure is a ``FetchError`` whose message names the URL and says why, in one line.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
import urllib.robotparser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from checker import __version__
from checker.errors import InputError
from checker.web.media import ACCEPT_HEADER, ACCEPTED, Kind, content_type, looks_like, refusal

RETRIED = {429, 500, 502, 503, 504}


class _Busy(Exception):
    """A 429 or 5xx: worth another try, after ``wait`` seconds if the server said."""

    def __init__(self, url: str, status: int, wait: float | None) -> None:
        super().__init__(f"{url}: {status}")
        self.url, self.status, self.wait = url, status, wait


class FetchError(InputError):
    """A URL that could not be read: ``url`` and ``reason`` make its one line."""

    def __init__(self, url: str, reason: str, hint: str | None = None) -> None:
        super().__init__(f"{url}: {reason}", hint)
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Politeness:
    """How checker behaves towards the servers it reads (the README lists these settings)."""

    per_host: int = 2  # requests in flight to one host
    delay: float = 1.0  # seconds between the starts of two requests to one host
    timeout: float = 20.0  # seconds for one URL's whole download (connect, headers, body)
    connect_timeout: float = 5.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 2  # further tries after a 429 or 5xx
    max_retry_after: float = 60.0  # a server asking for a longer wait is not retried
    robots: bool = True
    user_agent: str = f"checker/{__version__} (news consistency checker)"

    @property
    def robots_agent(self) -> str:
        return "checker"


@dataclass
class Fetched:
    """One URL as the server sent it, or word that it has not changed (``status`` 304)."""

    url: str  # as asked
    final_url: str  # after redirects
    status: int
    content: bytes
    media_type: str
    charset: str | None  # as declared in Content-Type; None: find it in the document
    etag: str | None
    last_modified: str | None
    fetched_at: dt.datetime

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Host:
    slots: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_start: float = 0.0
    robots: urllib.robotparser.RobotFileParser | None = None
    robots_read: bool = False


class PoliteClient:
    """Fetches pages and feeds politely; safe to share between threads."""

    def __init__(self, politeness: Politeness | None = None, transport: httpx.BaseTransport | None = None) -> None:
        self.politeness = politeness or Politeness()
        p = self.politeness
        self._client = httpx.Client(
            headers={"User-Agent": p.user_agent},
            timeout=httpx.Timeout(p.timeout, connect=min(p.connect_timeout, p.timeout)),
            follow_redirects=True,
            max_redirects=p.max_redirects,
            transport=transport,
            trust_env=False,  # no proxy from the environment: what is fetched is what was named
        )
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one URL ------------------------------------------------------------------------

    def fetch(self, url: str, kind: Kind = "page", etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """``url``'s body, or a 304 ``Fetched`` when the validators still hold; FetchError if not."""
        check_url(url)
        if self.politeness.robots and not self._robots_allow(url):
            raise FetchError(url, "robots.txt disallows checker here", "Ask the site, or pass --ignore-robots if you may read it")
        headers = {"Accept": ACCEPT_HEADER[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        retrying = Retrying(
            stop=stop_after_attempt(self.politeness.retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Busy),
            reraise=True,
        )
        try:
            return retrying(self._attempt, url, kind, headers)
        except _Busy as busy:
            tries = self.politeness.retries + 1
            raise FetchError(url, f"the server answered {busy.status} {_phrase(busy.status)} {tries} times", "Try again later") from None

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After when the server gave one, else exponential backoff (1, 2, 4 s...)."""
        busy = state.outcome.exception() if state.outcome else None
        backoff = min(8.0, 2.0 ** (state.attempt_number - 1))
        wait = busy.wait if isinstance(busy, _Busy) and busy.wait is not None else backoff
        if wait > self.politeness.max_retry_after and isinstance(busy, _Busy):
            raise FetchError(busy.url, f"the server answered {busy.status} and asks to wait {wait:.0f} s", "Try again later")
        return wait

    def _attempt(self, url: str, kind: Kind, headers: dict[str, str]) -> Fetched:
        """One try: the page, a 304, _Busy for a status worth retrying, or FetchError."""
        p = self.politeness
        deadline = time.monotonic() + p.timeout
        try:
            with self._turn(url), self._client.stream("GET", url, headers=headers) as response:
                if response.status_code in RETRIED:
                    raise _Busy(url, response.status_code, retry_after(response))
                if response.status_code == 304:
                    return self._result(url, response, b"")
                if response.status_code >= 400:
                    raise FetchError(url, f"the server answered {response.status_code} {_phrase(response.status_code)}")
                media_type, charset = content_type(response.headers.get("content-type", ""))
                if media_type and media_type not in ACCEPTED[kind]:
                    raise FetchError(url, refusal(media_type, kind))
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > p.max_bytes:
                    raise FetchError(url, f"the body is {int(declared) / 1e6:.0f} MB, over the {p.max_bytes / 1e6:.0f} MB cap")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > p.max_bytes:
                        raise FetchError(url, f"the body is over the {p.max_bytes / 1e6:.0f} MB cap")
                    if time.monotonic() > deadline:
                        raise FetchError(url, f"the download did not finish within {p.timeout:g} s", "Raise --timeout if the site is slow")
                if not media_type and not looks_like(bytes(body[:2048]), kind):
                    raise FetchError(url, f"the server sent no content type and the body is not {'HTML' if kind == 'page' else 'a feed'}")
                return self._result(url, response, bytes(body), media_type, charset)
        except (FetchError, _Busy):
            raise
        except httpx.TooManyRedirects:
            raise FetchError(url, f"more than {p.max_redirects} redirects (a redirect loop?)") from None
        except httpx.UnsupportedProtocol:
            raise FetchError(url, "redirected to an address that is not http or https") from None
        except httpx.TimeoutException:
            raise FetchError(url, f"no answer within {p.timeout:g} s", "Raise --timeout if the site is slow") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"cannot connect ({_short(exc)})", "Check the address and your connection") from None

    def _result(self, url: str, response: httpx.Response, body: bytes, media_type: str = "", charset: str | None = None) -> Fetched:
        return Fetched(
            url=url,
            final_url=str(response.url),
            status=response.status_code,
            content=body,
            media_type=media_type,
            charset=charset,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            fetched_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        )

    # -- politeness ---------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._lock:
            if key not in self._hosts:
                self._hosts[key] = _Host(threading.Semaphore(self.politeness.per_host))
            return self._hosts[key]

    @contextmanager
    def _turn(self, url: str) -> Iterator[None]:
        """Wait for a slot on the URL's host and for the delay since the last start there."""
        host = self._host(url)
        delay = self.politeness.delay
        if host.robots is not None:
            delay = max(delay, float(host.robots.crawl_delay(self.politeness.robots_agent) or 0))
        with host.slots:
            with host.lock:
                start = max(time.monotonic(), host.next_start)
                host.next_start = start + delay
            time.sleep(max(0.0, start - time.monotonic()))
            yield

    def _robots_allow(self, url: str) -> bool:
        host = self._host(url)
        with host.lock:
            if not host.robots_read:
                host.robots = self._read_robots(url)
                host.robots_read = True
        return host.robots is None or host.robots.can_fetch(self.politeness.robots_agent, url)

    def _read_robots(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        """The site's robots.txt; None (everything allowed) when it has none or cannot be read.
        A site answering 401 or 403 for it is taken to disallow everything (the usual reading)."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            response = self._client.get(robots_url, timeout=min(self.politeness.timeout, 10.0))
        except httpx.HTTPError:
            return None
        if response.status_code in (401, 403):
            parser.disallow_all = True  # type: ignore[attr-defined]  # what a 401/403 sets in urllib itself
            return parser
        if response.status_code >= 400:
            return None
        parser.parse(response.content[: self.politeness.max_bytes].decode("utf-8", "replace").splitlines())
        return parser


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(url, "not an http or https address", "Give a web address starting with http:// or https://")


def host_key(url: str) -> str:
    return urlsplit(url).netloc.lower()


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks to wait (Retry-After, as seconds or an HTTP date), if it asks."""
    given = response.headers.get("retry-after", "").strip()
    if given.isdigit():
        return float(given)
    try:
        when = email.utils.parsedate_to_datetime(given) if given else None
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds()) if when is not None and when.tzinfo else None


def _phrase(status: int) -> str:
    try:
        import http

        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]
