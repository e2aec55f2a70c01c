"""Ingest: files -> articles -> chunks -> embeddings -> index.

Unchanged articles cost one lookup and no embedding; changed ones replace their chunks.
Embedding is batched across articles, since the model is fastest on full batches and news
articles are only a few chunks each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from checker.articles import chunking
from checker.articles.loading import load_file
from checker.articles.reading import discover
from checker.config import Settings
from checker.errors import InputError
from checker.schemas import Article, Chunk, IngestOutcome
from checker.storage import embeddings
from checker.storage.store import Store

# Articles gathered before one lookup, one embedding call and one write: enough to fill the
# model's batches and spare round trips, few enough that memory stays flat on a big corpus.
_PENDING_ARTICLES = 128


@dataclass
class IngestReport:
    outcomes: list[IngestOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def stored(self) -> int:
        """Articles that are in the index after this run, new or not."""
        return sum(o.status != "skipped" for o in self.outcomes)


Progress = Callable[[int, int], None]


def _loaded(paths: list[Path], settings: Settings, report: IngestReport, progress: Progress | None = None) -> Iterator[Article]:
    """Every article in the files under ``paths``, once per id; what is skipped, and why, goes in ``report``."""
    files, report.warnings = discover(paths)
    max_bytes = int(settings.max_file_mb * 1_000_000)
    seen_ids: set[str] = set()
    for done, path in enumerate(files, 1):
        try:
            loaded = load_file(path, max_bytes)
        except InputError as exc:
            report.outcomes.append(IngestOutcome(source=str(path), status="skipped", message=exc.one_line()))
        else:
            report.warnings.extend(loaded.warnings)
            for article in loaded.articles:
                if article.id in seen_ids:
                    report.outcomes.append(
                        IngestOutcome(
                            source=article.source,
                            article_id=article.id,
                            status="skipped",
                            message=f"{article.source}: same id as an article earlier in this run; give it its own 'id'",
                        )
                    )
                    continue
                seen_ids.add(article.id)
                yield article
        if progress:
            progress(done, len(files))


def read_articles(paths: list[Path], settings: Settings) -> tuple[list[Article], IngestReport]:
    """The articles ``ingest`` would index, read and nothing written: what a dry run works on."""
    report = IngestReport()
    articles: dict[str, Article] = {}  # by text: ingest adds the same text only once
    for article in _loaded(paths, settings, report):
        if article.sha256 in articles:
            first = articles[article.sha256].id
            message = f"{article.source}: same text as the article {first}; not added twice"
            report.outcomes.append(IngestOutcome(source=article.source, article_id=article.id, status="skipped", message=message))
            continue
        articles[article.sha256] = article
    return list(articles.values()), report


def ingest(paths: list[Path], store: Store, settings: Settings, progress: Progress | None = None) -> IngestReport:
    report = IngestReport()
    pending: list[Article] = []
    for article in _loaded(paths, settings, report, progress):
        pending.append(article)
        if len(pending) >= _PENDING_ARTICLES:
            _index(pending, store, settings, report)
    _index(pending, store, settings, report)
    return report


def index_articles(articles: list[Article], store: Store, settings: Settings, report: IngestReport) -> None:
    """Index articles read elsewhere (pages from the web) exactly as files' articles are."""
    _index(list(articles), store, settings, report)


def _index(articles: list[Article], store: Store, settings: Settings, report: IngestReport) -> None:
    """Index a batch of articles: one lookup, one embedding call, one write for them all."""
    if not articles:
        return
    stored = store.get_articles([a.id for a in articles], with_text=False)
    twins = store.ids_by_sha([a.sha256 for a in articles if a.id not in stored])
    to_write: list[tuple[Article, list[Chunk], str]] = []
    for article in articles:
        # Texts first seen in this same batch count as indexed too.
        twins.setdefault(article.sha256, [])
        chunks = chunking.split(article, settings.chunk_size, settings.chunk_overlap)
        previous = stored.get(article.id)
        if previous is not None and previous.article.version == article.version:
            report.outcomes.append(_verify(article, chunks, store))
            continue
        if previous is not None and not same_source(previous.article, article):
            # Two feeds both numbering from 1 would otherwise replace each other's articles.
            report.outcomes.append(
                IngestOutcome(
                    source=article.source,
                    article_id=article.id,
                    status="skipped",
                    message=(
                        f"{article.source}: the id {article.id!r} already belongs to another article "
                        f"({previous.article.outlet}, from {previous.article.source}); not replaced. "
                        "Give this article a unique 'id', for example prefixed with its outlet"
                    ),
                )
            )
            continue
        others = [i for i in twins.get(article.sha256, []) if i != article.id]
        if previous is None and others and not _wire_copy(article, others, articles, store):
            report.outcomes.append(
                IngestOutcome(
                    source=article.source,
                    article_id=article.id,
                    status="skipped",
                    message=f"{article.source}: same text as the indexed article {others[0]}; not added twice",
                )
            )
            continue
        to_write.append((article, chunks, "updated" if previous is not None else "added"))
        twins[article.sha256].append(article.id)

    vectors = embeddings.embed([c.text for _, chunks, _ in to_write for c in chunks], batch_size=settings.embedding_batch)
    items, offset = [], 0
    for article, chunks, _ in to_write:
        items.append((article, chunks, vectors[offset : offset + len(chunks)]))
        offset += len(chunks)
    store.write_articles(items)
    report.outcomes.extend(IngestOutcome(source=a.source, article_id=a.id, status=status, chunks=len(chunks)) for a, chunks, status in to_write)
    articles.clear()


def _wire_copy(article: Article, twins: list[str], batch: list[Article], store: Store) -> bool:
    """Whether a web page with the same text as ``twins`` is another outlet carrying it (an
    agency story republished word for word): kept, so the report can say who carried it and
    count it once (checker/articles/copies.py). The same text twice from one outlet, or from
    files, is still added only once."""
    if article.file is not None or article.url is None:
        return False
    outlets = {a.id: a.outlet for a in batch}
    unknown = [t for t in twins if t not in outlets]
    outlets |= {i: s.article.outlet for i, s in store.get_articles(unknown, with_text=False).items()} if unknown else {}
    return all(outlets.get(t, article.outlet) != article.outlet for t in twins)


def same_source(stored: Article, new: Article) -> bool:
    """Whether ``new`` is a new version of ``stored``: an update comes from the same file (a
    corrected outlet or date in it is an update too; a JSON feed's records may move, so the
    record number is not compared). Another file claiming the id is another article."""

    if not (stored.file and new.file) and (stored.url or new.url):
        # A web page (no file): the same canonical URL is the same article, from any folder.
        return not (stored.file or new.file) and stored.url == new.url
    return source_file(stored.file, stored.source) == source_file(new.file, new.source)


def source_file(file: str | None, source: str) -> Path:
    """The file an article was read from: recorded at ingest (absolute), or, for articles
    stored before that was recorded, its source path read from here."""
    return Path(file) if file else Path((source or "").split("#", 1)[0]).resolve()


def _verify(article: Article, chunks: list[Chunk], store: Store) -> IngestOutcome:
    """An unchanged article: make sure exactly its chunks are there (a crash can leave extras)."""
    removed = store.delete_stale_chunks(article.id, {c.id for c in chunks})
    live = len(store.chunk_ids(article.id))
    if live != len(chunks):
        # Chunks went missing (the store was edited by hand): write them again.
        store.write_articles([(article, chunks, embeddings.embed([c.text for c in chunks]))])
        removed = 1
    status = "repaired" if removed else "unchanged"
    return IngestOutcome(source=article.source, article_id=article.id, status=status, chunks=len(chunks))
