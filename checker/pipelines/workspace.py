"""The workspace: what every command does around its pipeline, done in one place.

A command (or a web handler) makes a ``Workspace`` from its settings, then asks it for what
it needs: the index and the results store (opened once, from the settings), inputs resolved
into articles (a file, a folder, an indexed id), a guarded output path, the judging for a
run, and a ``run``: the store's writer lock and the run's record. Nothing here prints: the
caller says how to tell a user about waiting for the lock (``on_wait``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from checker.articles.loading import is_checker_output, load_file
from checker.articles.reading import discover
from checker.config import Settings
from checker.errors import CheckerError, InputError
from checker.pipelines.ingest import IngestReport, Progress, ingest, read_articles, source_file
from checker.pipelines.web_ingest import WebIngest, WebSources, fetch_one, is_url, politeness, split_inputs
from checker.schemas import Article, IngestOutcome, Usage
from checker.storage.results import open_results
from checker.storage.results_base import OnWait, ResultsStore
from checker.storage.store import Store, open_store
from checker.web.client import PoliteClient
from checker.web.pages import Outlets

if TYPE_CHECKING:  # pragma: no cover
    from checker.llm.asking import Budget
    from checker.pipelines.judging import ExtractChoice, JudgeChoice, Judging

# Files of the store that no output may replace: the index, the results, the lock.
_MANAGED = ("results.sqlite3", "writer.lock")


class Workspace:
    def __init__(self, settings: Settings, *, read_only: bool = False) -> None:
        """``read_only``: a dry run reads what is stored and writes nothing, not even a new store."""
        self.settings = settings
        self.read_only = read_only

    # -- the two stores, opened once -------------------------------------------------------

    @cached_property
    def store(self) -> Store:
        return open_store(self.settings.store, self.settings.chroma_url, self.settings.collection_prefix)

    @cached_property
    def results(self) -> ResultsStore:
        return open_results(self.settings.results_location, read_only=self.read_only)

    @property
    def has_index(self) -> bool:
        """Whether there is an index to read without creating one (what a dry run may open)."""
        return bool(self.settings.chroma_url) or self.settings.store.exists()

    # -- inputs ------------------------------------------------------------------------------

    @cached_property
    def outlets(self) -> Outlets:
        """The user's names for the outlets of web pages (settings' outlets file), if any."""
        return Outlets.read(self.settings.outlets) if self.settings.outlets else Outlets()

    def ingest(self, inputs: Sequence[str | Path], progress: Progress | None = None, feeds: Sequence[str] = ()) -> IngestReport:
        """Index files, folders, page URLs and the pages of feeds; what failed is in the report."""
        paths, urls = split_inputs(inputs)
        _refuse_missing(paths)
        report = ingest(paths, self.store, self.settings, progress=progress) if paths else IngestReport()
        sources = WebSources(urls, list(feeds), self.outlets)
        if sources:
            with PoliteClient(politeness(self.settings)) as client:
                WebIngest(self.settings, self.store, self.results, client).run(sources, report, progress)
        return report

    def reclean(self) -> IngestReport:
        """Every page read from the web cleaned again from its kept copy (nothing fetched)."""
        report = IngestReport()
        with PoliteClient(politeness(self.settings)) as client:
            WebIngest(self.settings, self.store, self.results, client).reclean(self.outlets, report)
        return report

    def articles_of(self, paths: Sequence[str | Path], report: IngestReport) -> list[Article]:
        """The stored articles an ingest of ``paths`` stored (new, changed or unchanged)."""
        ids = list(dict.fromkeys(o.article_id for o in report.outcomes if o.article_id and o.status != "skipped"))
        if not ids:
            raise InputError(
                "no articles in " + " ".join(str(p) for p in paths), "Give folders or files of .txt, .md, .html, .json or .jsonl articles"
            )
        return [stored.article for stored in self.store.get_articles(ids).values()]

    def read(self, inputs: Sequence[str | Path]) -> tuple[list[Article], IngestReport]:
        """The articles an ingest would store, read and nothing written (a dry run; URLs are
        fetched, never stored)."""
        paths, urls = split_inputs(inputs)
        _refuse_missing(paths)
        articles, report = read_articles(paths, self.settings) if paths else ([], IngestReport())
        for url in urls:
            try:
                articles.append(fetch_one(self.settings, url, self.outlets))
            except CheckerError as exc:
                report.outcomes.append(IngestOutcome(source=url, status="skipped", message=exc.one_line()))
        return articles, report

    def article(self, given: str) -> Article:
        """An article from a file or a URL (ingested first, a no-op if unchanged) or an indexed id."""
        path = Path(given)
        if is_url(given):
            report = self.ingest([given])
            stored_ids = [o.article_id for o in report.outcomes if o.status != "skipped" and o.article_id]
            if len(stored_ids) != 1:
                problem = next((o.message for o in report.outcomes if o.message), None) or "no article on the page"
                raise InputError(problem if problem.startswith(given) else f"{given}: {problem}", "Give the address of one article page")
            found = self.store.get_article(stored_ids[0])
        elif path.exists():
            report = ingest([path], self.store, self.settings)
            stored_ids = [o.article_id for o in report.outcomes if o.status != "skipped" and o.article_id]
            if len(stored_ids) != 1:
                problem = next((o.message for o in report.outcomes if o.message), None) or f"{len(stored_ids)} articles in it"
                raise _not_one_article(given, problem)
            found = self.store.get_article(stored_ids[0])
        else:
            found = self.store.get_article(given)
        if found is None:
            raise _no_such_article(given)
        return found.article

    def peek(self, given: str) -> Article:
        """An article from a file or URL, read and not indexed, or an already indexed id (a dry run)."""
        path = Path(given)
        if is_url(given):
            return fetch_one(self.settings, given, self.outlets)
        if path.exists():
            articles = load_file(path, int(self.settings.max_file_mb * 1_000_000)).articles
            if len(articles) != 1:
                raise _not_one_article(given, f"{len(articles)} articles in it")
            return articles[0]
        if self.has_index:
            stored = self.store.get_article(given)
            if stored is not None:
                return stored.article
        raise _no_such_article(given)

    # -- outputs -----------------------------------------------------------------------------

    def guard_output(self, out_file: Path | None, inputs: Sequence[str | Path] = ()) -> None:
        """Refuse, before any work, an --out that would overwrite an article (given now, or
        the source file of any indexed article however it is named now) or the store's own
        data (writing over results.sqlite3 destroyed every cached verdict). A report may sit
        beside the store's data in its folder (`make run` writes one there)."""
        if out_file is None:
            return
        target = out_file.resolve()
        if target.is_dir():
            raise InputError(f"--out {out_file}: is a folder", "Give a file name, e.g. --out report.html")
        if not target.parent.is_dir():
            raise InputError(f"--out {out_file}: the folder {out_file.parent} does not exist", "Create it first, or write elsewhere")
        named, _ = discover(split_inputs(inputs)[0])  # the files of the folders given, too
        if target in named and not _written_by_checker(target):
            raise InputError(f"--out {out_file}: is one of the input articles; it would be overwritten", "Write the output to another file")
        if self.has_index and target.exists():
            for summary in self.store.articles():
                if source_file(summary.file, summary.source) == target:
                    raise InputError(
                        f"--out {out_file}: is the source file of the indexed article {summary.id}; it would be overwritten",
                        "Write the output to another file",
                    )
        home = self.settings.store.resolve()
        if target == home or home in target.parents:
            managed = target.name.startswith(_MANAGED) or (home / "chroma") in target.parents
            if managed or (target.exists() and not _written_by_checker(target)):
                raise InputError(
                    f"--out {out_file}: is checker's own data in the store {self.settings.store}; writing it would destroy it",
                    "Write the output elsewhere, e.g. a new file name",
                )

    # -- a run -------------------------------------------------------------------------------

    def judging(self, judge: JudgeChoice, extract: ExtractChoice = "auto", budget: Budget | None = None) -> Judging:
        from checker.pipelines.judging import build

        return build(judge, self.settings, self.results, extract, budget)

    @contextlib.contextmanager
    def run(self, command: list[str], on_wait: OnWait | None = None) -> Iterator[RunRecord]:
        """The store's writer lock for the whole run, and its record (the command redacted by
        the results store, the usage when it ends)."""
        with self.results.writer_lock(on_wait):
            record = RunRecord(self.results, self.results.start_run(command))
            yield record
            record.finish()


class RunRecord:
    def __init__(self, results: ResultsStore, run_id: int) -> None:
        self.results = results
        self.id = run_id
        self.usage: Usage | None = None

    def finish(self) -> None:
        self.results.finish_run(self.id, (self.usage or Usage()).model_dump())


def _refuse_missing(paths: Sequence[Path]) -> None:
    """A path the user named that does not exist is a typo to fix, not a warning to scroll past
    (a path that cannot be looked at is reported by ingest, with the others still read)."""

    def missing(path: Path) -> bool:
        try:
            return not path.exists()
        except OSError:
            return False

    gone = [str(p) for p in paths if missing(p)]
    if gone:
        raise InputError(f"{', '.join(gone)}: no such file or folder", "Check the path; nothing was ingested")


def _written_by_checker(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return is_checker_output(handle.read(4000))
    except OSError:
        return False


def _not_one_article(given: str, problem: str) -> InputError:
    return InputError(f"{given}: cannot compare this file ({problem})", "Give one article per file, or an article id from `checker articles`")


def _no_such_article(given: str) -> InputError:
    return InputError(f"{given}: no such file, and no indexed article with that id", "Give a file path, or an id from `checker articles`")
