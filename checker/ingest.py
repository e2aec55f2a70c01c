"""Ingest: files -> articles -> chunks -> embeddings -> index.

Unchanged articles cost one lookup and no embedding; changed ones replace their chunks.
Embedding is batched across articles, since the model is fastest on full batches and news
articles are only a few chunks each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from checker import chunking, embeddings
from checker.articles import load_file
from checker.config import Settings
from checker.errors import InputError
from checker.reading import discover
from checker.schemas import Article, Chunk, IngestOutcome
from checker.store import Store

# Chunks gathered before one embedding call: big enough for full batches, small enough
# that memory stays flat however large the corpus.
_PENDING_CHUNKS = 512


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


def ingest(paths: list[Path], store: Store, settings: Settings, progress: Progress | None = None) -> IngestReport:
    report = IngestReport()
    files, report.warnings = discover(paths)
    pending: list[tuple[Article, list[Chunk], str]] = []
    max_bytes = int(settings.max_file_mb * 1_000_000)
    seen_ids: set[str] = set()

    def flush() -> None:
        texts = [c.text for _, chunks, _ in pending for c in chunks]
        vectors = embeddings.embed(texts, batch_size=settings.embedding_batch)
        offset = 0
        for article, chunks, status in pending:
            store.write_article(article, chunks, vectors[offset:offset + len(chunks)])
            offset += len(chunks)
            report.outcomes.append(IngestOutcome(source=article.source, article_id=article.id, status=status, chunks=len(chunks)))
        pending.clear()

    for done, path in enumerate(files, 1):
        try:
            loaded = load_file(path, max_bytes)
        except InputError as exc:
            report.outcomes.append(IngestOutcome(source=str(path), status="skipped", message=exc.one_line()))
        else:
            report.warnings.extend(loaded.warnings)
            for article in loaded.articles:
                if article.id in seen_ids:
                    report.outcomes.append(IngestOutcome(
                        source=article.source, article_id=article.id, status="skipped",
                        message=f"{article.source}: same id as an article earlier in this run; give it its own 'id'"))
                    continue
                seen_ids.add(article.id)
                outcome = _plan(article, store, settings)
                if isinstance(outcome, IngestOutcome):
                    report.outcomes.append(outcome)
                else:
                    pending.append(outcome)
            if sum(len(chunks) for _, chunks, _ in pending) >= _PENDING_CHUNKS:
                flush()
        if progress:
            progress(done, len(files))
    if pending:
        flush()
    return report


def _plan(article: Article, store: Store, settings: Settings) -> IngestOutcome | tuple[Article, list[Chunk], str]:
    """Decide what one article needs: nothing, a repair, or (re-)indexing."""
    stored = store.get_article(article.id)
    if stored is not None and stored.article.version == article.version:
        chunks = chunking.split(article, settings.chunk_size, settings.chunk_overlap)
        removed = store.delete_stale_chunks(article.id, {c.id for c in chunks})
        live = len(store.chunk_ids(article.id))
        if live == len(chunks):
            status = "repaired" if removed else "unchanged"
            return IngestOutcome(source=article.source, article_id=article.id, status=status, chunks=live)
        # The record exists but chunks are missing (the store was edited by hand): rewrite.
        return article, chunks, "repaired"
    if stored is None:
        twins = [i for i in store.find_by_sha(article.sha256) if i != article.id]
        if twins:
            return IngestOutcome(source=article.source, article_id=article.id, status="skipped",
                                 message=f"{article.source}: same text as the indexed article {twins[0]}; not added twice")
    chunks = chunking.split(article, settings.chunk_size, settings.chunk_overlap)
    return article, chunks, "updated" if stored is not None else "added"
