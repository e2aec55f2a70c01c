"""Web ingest: URLs and feeds -> pages -> articles -> the same indexing as files.

A URL is fetched politely (checker/web/client.py) with the validators of its last fetch, so
an unchanged page costs a 304 and no work; a changed page is a new version of its article,
and each text version is recorded (the report shows a revised article). A feed is fetched
the same way; its entries already ingested are not fetched again unless the entry says it
was updated, so running the same command from cron is the polling loop. The page as sent is
kept (content-addressed) so cleaning can be redone offline.

Every URL that fails is one skipped outcome naming it and why; the others go on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from checker.config import Settings
from checker.errors import CheckerError, InputError
from checker.pipelines.ingest import IngestReport, index_articles
from checker.schemas import Article, IngestOutcome
from checker.storage.page_archive import PageArchive
from checker.storage.results_base import ResultsStore
from checker.storage.store import Store
from checker.web import feeds
from checker.web.client import Fetched, FetchError, PoliteClient, Politeness
from checker.web.pages import Outlets, Page, article_of, canonical

# Pages fetched at once, across hosts (each host still gets at most Politeness.per_host).
_WORKERS = 8
# Pages indexed together: one embedding call fills the model's batches.
_BATCH = 64


@dataclass
class WebSources:
    """What to read from the web: page URLs, feed URLs, and the user's outlet names."""

    urls: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    outlets: Outlets = field(default_factory=Outlets)

    def __bool__(self) -> bool:
        return bool(self.urls or self.feeds)


@dataclass(frozen=True)
class _Job:
    url: str
    feed_url: str | None = None
    entry: feeds.Entry | None = None


def politeness(settings: Settings) -> Politeness:
    return Politeness(
        per_host=settings.fetch_per_host,
        delay=settings.fetch_delay,
        timeout=settings.fetch_timeout,
        max_bytes=int(settings.fetch_max_mb * 1_000_000),
        robots=settings.robots,
    )


def is_url(given: str | Path) -> bool:
    return isinstance(given, str) and given.lower().startswith(("http://", "https://"))


def read_url_list(path: Path) -> list[str]:
    """A file of URLs, one a line; blank lines and ``#`` comments skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--urls {path}: cannot read it ({exc.__class__.__name__})", "Give a UTF-8 text file with one URL a line") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class WebIngest:
    """One run's fetching: a client, the page archive, and where pages and feeds are recorded."""

    def __init__(self, settings: Settings, store: Store, results: ResultsStore, client: PoliteClient) -> None:
        """``client``: the caller's, closed by the caller (one client a run shares its hosts' slots)."""
        self.settings = settings
        self.store = store
        self.results = results
        self.client = client
        self.archive = PageArchive(settings.store / "pages")

    def run(self, sources: WebSources, report: IngestReport, progress: Callable[[int, int], None] | None = None) -> None:
        jobs = [_Job(url) for url in dict.fromkeys(sources.urls)]
        for feed_url in dict.fromkeys(sources.feeds):
            jobs += self._feed_jobs(feed_url, report)
        pending: list[tuple[Page, dict]] = []
        first_url: dict[str, str] = {}  # article id -> the URL that brought it in this run
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            for done, (job, outcome) in enumerate(zip(jobs, pool.map(lambda j: self._fetch(j, sources.outlets), jobs)), 1):
                if progress:
                    progress(done, len(jobs))
                if isinstance(outcome, IngestOutcome):
                    report.outcomes.append(outcome)
                    continue
                page, _ = outcome
                if page.article.id in first_url:
                    message = f"{job.url}: the same page as {first_url[page.article.id]} (canonical {page.canonical_url}); read once"
                    report.outcomes.append(IngestOutcome(source=job.url, article_id=page.article.id, status="skipped", message=message))
                    continue
                first_url[page.article.id] = job.url
                pending.append(outcome)
                if len(pending) >= _BATCH:
                    self._index(pending, report)
        self._index(pending, report)

    def _index(self, pending: list[tuple[Page, dict]], report: IngestReport) -> None:
        """Index a batch of pages' articles (one embedding call), then record the pages that
        made it: a crash before leaves them to be fetched again, never recorded and missing."""
        before = len(report.outcomes)
        index_articles([page.article for page, _ in pending], self.store, self.settings, report)
        stored = {o.article_id for o in report.outcomes[before:] if o.status != "skipped"}
        for page, record in pending:
            if page.article.id in stored:
                self.results.store_page(record | {"article_id": page.article.id})
        pending.clear()

    def reclean(self, outlets: Outlets, report: IngestReport) -> None:
        """Every recorded page cleaned again from the copy kept of it, nothing fetched: after a
        better extractor or a fixed rule, the articles follow (changed ones are updated)."""
        pending: list[tuple[Page, dict]] = []
        for record in self.results.pages():
            content = self.archive.read(record.get("html_sha256") or "")
            if content is None:
                message = f"{record['url']}: no copy of the page is kept; ingest the URL again to fetch it"
                report.outcomes.append(IngestOutcome(source=record["url"], status="skipped", message=message))
                continue
            fetched = Fetched(
                url=record["url"],
                final_url=record["canonical_url"],
                status=200,
                content=content,
                media_type="text/html",
                charset=record.get("charset"),
                etag=record.get("etag"),
                last_modified=record.get("last_modified"),
                fetched_at=dt.datetime.fromisoformat(record["fetched_at"]),
            )
            published = dt.date.fromisoformat(record["entry_published"]) if record.get("entry_published") else None
            try:
                page = article_of(fetched, outlets, published, record.get("entry_title"))
            except CheckerError as exc:
                report.outcomes.append(IngestOutcome(source=record["url"], status="skipped", message=exc.one_line()))
                continue
            pending.append((page, record | {"text_sha256": page.article.sha256, "canonical_url": page.canonical_url}))
            if len(pending) >= _BATCH:
                self._index(pending, report)
        self._index(pending, report)

    # -- feeds ----------------------------------------------------------------------------

    def _feed_jobs(self, feed_url: str, report: IngestReport) -> list[_Job]:
        """The entries of a feed worth fetching: new ones, and those updated since."""
        known = self.results.feed(feed_url) or {}
        if len(self.results.feed_pages(feed_url)) < (known.get("entries") or 0):
            known = {}  # some entries failed last time: read the feed whole, so they are tried again
        try:
            fetched = self.client.fetch(feed_url, "feed", known.get("etag"), known.get("last_modified"))
            if fetched.not_modified:
                report.warnings.append(f"{feed_url}: the feed has not changed since {known.get('fetched_at')}")
                for url, article_id in self.results.feed_pages(feed_url):
                    report.outcomes.append(IngestOutcome(source=url, article_id=article_id, status="unchanged"))
                return []
            found = feeds.entries(fetched)
        except FetchError as exc:
            report.outcomes.append(IngestOutcome(source=feed_url, status="skipped", message=exc.one_line()))
            return []
        jobs = []
        for entry in found:
            page = self.results.page(canonical(entry.link))
            if page is not None and page.get("article_id") and (entry.updated is None or entry.updated == page.get("entry_updated")):
                report.outcomes.append(IngestOutcome(source=entry.link, article_id=page["article_id"], status="unchanged"))
                continue
            jobs.append(_Job(entry.link, feed_url, entry))
        self.results.store_feed(feed_url, fetched.etag, fetched.last_modified, _stamp(fetched.fetched_at), len(found))
        if not found:
            report.warnings.append(f"{feed_url}: the feed lists no entries")
        return jobs

    # -- pages ----------------------------------------------------------------------------

    def _fetch(self, job: _Job, outlets: Outlets) -> IngestOutcome | tuple[Page, dict]:
        """A page as an article ready to index with its record, or the outcome that ends it."""
        key = canonical(job.url)
        known = self.results.page(key) or {}
        try:
            fetched = self.client.fetch(job.url, "page", known.get("etag"), known.get("last_modified"))
            if fetched.not_modified and known.get("article_id"):
                return IngestOutcome(source=job.url, article_id=known["article_id"], status="unchanged")
            if fetched.not_modified:  # validators without an article: fetch it whole
                fetched = self.client.fetch(job.url, "page")
            entry = job.entry
            page = article_of(fetched, outlets, entry.published if entry else None, entry.title if entry else None)
        except FetchError as exc:
            return IngestOutcome(source=job.url, status="skipped", message=exc.one_line())
        except CheckerError as exc:  # a page that is not an article (no text, a future date)
            return IngestOutcome(source=job.url, status="skipped", message=f"{job.url}: {exc.one_line()}")
        record = {
            "url": key,
            "canonical_url": page.canonical_url,
            "text_sha256": page.article.sha256,
            "html_sha256": self.archive.keep(fetched.content),
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "fetched_at": _stamp(fetched.fetched_at),
            "feed_url": job.feed_url,
            "entry_updated": job.entry.updated if job.entry else None,
            "entry_published": job.entry.published.isoformat() if job.entry and job.entry.published else None,
            "entry_title": job.entry.title if job.entry else None,
            "charset": fetched.charset,
        }
        return page, record


def fetch_one(settings: Settings, url: str, outlets: Outlets | None = None) -> Article:
    """A page read and nothing stored (a dry run's view of a URL)."""
    with PoliteClient(politeness(settings)) as client:
        return article_of(client.fetch(url, "page"), outlets or Outlets()).article


def _stamp(when: dt.datetime) -> str:
    return when.isoformat()


def split_inputs(given: Sequence[str | Path]) -> tuple[list[Path], list[str]]:
    """(paths, URLs) of what a command was given: http(s) addresses are URLs, the rest paths.
    Another scheme (ftp://, file://) is refused: it is neither a path nor a page checker reads."""
    paths: list[Path] = []
    urls: list[str] = []
    for item in given:
        if is_url(item):
            urls.append(str(item))
        elif isinstance(item, str) and _SCHEME.match(item) and not Path(item).exists():
            raise InputError(f"{item}: checker reads http and https addresses only", "Give an http(s) URL, or a file path")
        else:
            paths.append(Path(item))
    return paths, urls


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
