"""The article index in Chroma: the only module that imports chromadb.

Two collections: ``<prefix>-articles`` holds one record per article (its cleaned text and
metadata) and ``<prefix>-chunks`` its passages with embeddings (``collection`` opens others
beside them, such as the claims of `checker report`). Writing an article is
ordered so that a crash at any point leaves a consistent index:

1. upsert the new chunks (ids carry the article version, so a retry overwrites, never adds);
2. upsert the article record: this is the commit point, naming the live version;
3. delete the article's chunks of other versions.

Readers only trust chunks whose version matches the article record, so between 1 and 3 a
search sees exactly the old or the new article, and a rerun finishes step 3.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from checker.errors import StoreError, brief
from checker.schemas import Article, ArticleSummary, Chunk, SearchHit

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection


@dataclass(frozen=True)
class StoredArticle:
    """The article record as stored: what was committed, and how many chunks it has."""

    article: Article
    chunks: int


class Store:
    def __init__(self, client: ClientAPI, prefix: str, where: str) -> None:
        self._client = client
        self.where = where
        self.prefix = prefix
        self._articles = self.collection("articles")
        self._chunks = self.collection("chunks")
        self._batch = max(1, min(client.get_max_batch_size(), 1000))

    def collection(self, name: str) -> Collection:
        """A cosine-space collection of this index (articles, chunks, the claims of `checker report`)."""
        try:
            return self._client.get_or_create_collection(
                f"{self.prefix}-{name}", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        except Exception as exc:  # chromadb raises many types; all mean the same to a user
            raise StoreError(
                f"cannot open the index at {self.where} ({brief(exc, 160)})", "Check --store / --chroma-url, or delete a corrupted store folder"
            ) from None

    @property
    def batch_size(self) -> int:
        return self._batch

    # -- reading -------------------------------------------------------------------------

    def get_article(self, article_id: str) -> StoredArticle | None:
        return self.get_articles([article_id]).get(article_id)

    def get_articles(self, article_ids: Sequence[str], with_text: bool = True) -> dict[str, StoredArticle]:
        """The stored records among these ids, in as few round trips as the server allows."""
        stored: dict[str, StoredArticle] = {}
        include = ["documents", "metadatas"] if with_text else ["metadatas"]
        for lo in range(0, len(article_ids), self._batch):
            found = self.call(self._articles.get, ids=list(article_ids[lo : lo + self._batch]), include=include)
            documents = found["documents"] if with_text else [""] * len(found["ids"])
            for article_id, document, meta in zip(found["ids"], documents, found["metadatas"]):
                stored[article_id] = _stored(document, meta)
        return stored

    def ids_by_sha(self, hashes: Sequence[str]) -> dict[str, list[str]]:
        """For each text hash, the ids of articles with that cleaned text (to spot duplicates)."""
        by_sha: dict[str, list[str]] = {}
        unique = sorted(set(hashes))
        for lo in range(0, len(unique), self._batch):
            found = self.call(self._articles.get, where={"sha256": {"$in": unique[lo : lo + self._batch]}}, include=["metadatas"])
            for article_id, meta in zip(found["ids"], found["metadatas"]):
                by_sha.setdefault(meta["sha256"], []).append(article_id)
        return by_sha

    def articles(self) -> list[ArticleSummary]:
        found = self.call(self._articles.get, include=["metadatas"])
        summaries = [_summary(meta) for meta in found["metadatas"]]
        return sorted(summaries, key=lambda s: (s.published is None, s.published, s.outlet, s.id))

    def chunk_ids(self, article_id: str) -> list[str]:
        found = self.call(self._chunks.get, where={"article_id": article_id}, include=[])
        return list(found["ids"])

    def count_chunks(self) -> int:
        return int(self.call(self._chunks.count))

    def search(
        self,
        query_embedding: np.ndarray,
        k: int,
        outlet: str | None = None,
        article_ids: Sequence[str] | None = None,
        exclude_article_ids: Sequence[str] | None = None,
    ) -> list[SearchHit]:
        return self.search_many([query_embedding], k, outlet, article_ids, exclude_article_ids)[0]

    def search_many(
        self,
        query_embeddings: Sequence[np.ndarray],
        k: int,
        outlet: str | None = None,
        article_ids: Sequence[str] | None = None,
        exclude_article_ids: Sequence[str] | None = None,
    ) -> list[list[SearchHit]]:
        """The ``k`` closest live passages to each query, under one filter, in three round
        trips whatever the number of queries (a report asks thousands)."""
        filters: list[dict[str, Any]] = []
        if outlet:
            filters.append({"outlet": outlet})
        if article_ids:
            filters.append({"article_id": {"$in": list(article_ids)}})
        if exclude_article_ids:
            filters.append({"article_id": {"$nin": list(exclude_article_ids)}})
        where = filters[0] if len(filters) == 1 else ({"$and": filters} if filters else None)
        if not len(query_embeddings):
            return []
        total = self.count_chunks()
        if total == 0:
            return [[] for _ in query_embeddings]
        # Ask for a few more than k: chunks of a half-written version are filtered out below.
        found = self.call(
            self._chunks.query,
            query_embeddings=[vector.tolist() for vector in query_embeddings],
            n_results=min(total, k + 8),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        live = self._live_versions({m["article_id"] for metas in found["metadatas"] for m in metas})
        return [
            self._hits(found["ids"][row], found["metadatas"][row], found["documents"][row], found["distances"][row], live)[:k]
            for row in range(len(query_embeddings))
        ]

    @staticmethod
    def _hits(ids: list[str], metas: list[Any], docs: list[str], dists: list[float], live: dict[str, str]) -> list[SearchHit]:
        hits: list[SearchHit] = []
        for chunk_id, meta, doc, dist in zip(ids, metas, docs, dists):
            if live.get(meta["article_id"]) != meta["version"]:
                continue
            hits.append(
                SearchHit(
                    chunk_id=chunk_id,
                    article_id=meta["article_id"],
                    outlet=meta["outlet"],
                    title=meta["title"],
                    published=meta["published"] or None,
                    start=meta["start"],
                    end=meta["end"],
                    text=doc,
                    score=round(1.0 - float(dist), 4),
                )
            )
        return hits

    def _live_versions(self, article_ids: Iterable[str]) -> dict[str, str]:
        ids = sorted(article_ids)
        if not ids:
            return {}
        found = self.call(self._articles.get, ids=ids, include=["metadatas"])
        return {i: m["version"] for i, m in zip(found["ids"], found["metadatas"])}

    # -- writing -------------------------------------------------------------------------

    def write_articles(self, items: Sequence[tuple[Article, Sequence[Chunk], np.ndarray]]) -> None:
        """Store articles and their chunks in the crash-safe order described above."""
        import numpy as np

        if not items:
            return
        chunk_rows: list[tuple[str, list[float], str, dict[str, Any]]] = []
        records: list[tuple[str, list[float], str, dict[str, Any]]] = []
        for article, chunks, vectors in items:
            meta = article.metadata()
            shared = {k: meta[k] for k in ("article_id", "outlet", "title", "published", "version")}
            for chunk, vector in zip(chunks, vectors):
                chunk_rows.append((chunk.id, vector.tolist(), chunk.text, {**shared, "index": chunk.index, "start": chunk.start, "end": chunk.end}))
            centroid = vectors.mean(axis=0)
            centroid = centroid / (float(np.linalg.norm(centroid)) or 1.0)
            records.append((article.id, centroid.tolist(), article.text, {**meta, "chunks": len(chunks), "characters": len(article.text)}))
        self._upsert(self._chunks, chunk_rows)  # 1. chunks
        self._upsert(self._articles, records)  # 2. the commit point
        keep = {c.id for _, chunks, _ in items for c in chunks}
        self._delete_stale([a.id for a, _, _ in items], keep)  # 3. other versions

    def _upsert(self, collection: Collection, rows: Sequence[tuple[str, list[float], str, dict[str, Any]]]) -> None:
        for lo in range(0, len(rows), self._batch):
            ids, vectors, documents, metadatas = zip(*rows[lo : lo + self._batch])
            self.call(collection.upsert, ids=list(ids), embeddings=list(vectors), documents=list(documents), metadatas=list(metadatas))

    def delete_stale_chunks(self, article_id: str, keep: set[str]) -> int:
        return self._delete_stale([article_id], keep)

    def _delete_stale(self, article_ids: Sequence[str], keep: set[str]) -> int:
        """Delete the chunks of these articles that are not in ``keep``: one query per batch.

        Also catches chunks a crash left behind for an article that has no record yet.
        """
        stale: list[str] = []
        for lo in range(0, len(article_ids), self._batch):
            found = self.call(self._chunks.get, where={"article_id": {"$in": list(article_ids[lo : lo + self._batch])}}, include=[])
            stale.extend(i for i in found["ids"] if i not in keep)
        for lo in range(0, len(stale), self._batch):
            self.call(self._chunks.delete, ids=stale[lo : lo + self._batch])
        return len(stale)

    def call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a Chroma call, turning any failure into one StoreError line."""
        try:
            return method(*args, **kwargs)
        except Exception as exc:  # network errors, server errors, disk errors
            raise StoreError(
                f"the index at {self.where} failed ({brief(exc, 160)})",
                "Check that the Chroma server is running, or that the store folder is writable",
            ) from None


def open_store(store_dir: Path, chroma_url: str | None, prefix: str) -> Store:
    """Open the embedded index in ``store_dir``, or the Chroma server at ``chroma_url``."""
    os.environ["ANONYMIZED_TELEMETRY"] = "False"  # no usage reports: this machine may be offline
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise StoreError(f"--chroma-url {chroma_url!r} is not an http(s) URL", "Use e.g. http://127.0.0.1:8000")
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {chroma_url} ({brief(exc, 160)})",
                "Start it with `chroma run --path DIR --port N`, or drop --chroma-url to use the local store",
            ) from None
        return Store(client, prefix, chroma_url)
    # Absolute: chromadb caches clients by path string, so a relative one can alias another.
    chroma_dir = (store_dir / "chroma").resolve()
    try:
        chroma_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(chroma_dir), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(f"cannot open the store at {chroma_dir} ({brief(exc, 160)})", "Check that --store points to a writable folder") from None
    return Store(client, prefix, str(chroma_dir))


def _common(meta: dict[str, Any]) -> dict[str, Any]:
    """The article fields every record carries, back from Chroma's flat strings."""
    return {
        "id": meta["article_id"],
        "outlet": meta["outlet"],
        "title": meta["title"],
        "published": meta["published"] or None,
        "author": meta["author"] or None,
        "url": meta["url"] or None,
        "source": meta["source"],
        "file": meta.get("file") or None,  # stores written before it was recorded lack it
    }


def _stored(document: str, meta: dict[str, Any]) -> StoredArticle:
    article = Article(**_common(meta), text=document, sha256=meta["sha256"])
    return StoredArticle(article=article, chunks=int(meta["chunks"]))


def _summary(meta: dict[str, Any]) -> ArticleSummary:
    return ArticleSummary(**_common(meta), chunks=int(meta["chunks"]), characters=int(meta["characters"]))
