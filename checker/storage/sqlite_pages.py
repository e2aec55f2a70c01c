"""The results store's records of the web (SQLite): each page as last fetched, each text
version of a page-read article, each feed's validators. Mixed into SQLiteResults, whose
connection and lock these methods use."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any


class PageRecords:
    _db: sqlite3.Connection
    _lock: threading.Lock

    _PAGE_FIELDS = (
        "url",
        "canonical_url",
        "article_id",
        "text_sha256",
        "html_sha256",
        "etag",
        "last_modified",
        "fetched_at",
        "feed_url",
        "entry_updated",
        "entry_published",
        "entry_title",
        "charset",
    )

    def page(self, url: str) -> dict[str, Any] | None:
        """The page last fetched from ``url`` (canonical), if any."""
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(self._PAGE_FIELDS)} FROM pages WHERE url = ?", (url,)).fetchone()
        return dict(zip(self._PAGE_FIELDS, row)) if row else None

    def store_page(self, record: dict[str, Any]) -> None:
        """The page as fetched now, and its text as a version of its article (first seen now)."""
        values = tuple(record.get(name) for name in self._PAGE_FIELDS)
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute(f"INSERT OR REPLACE INTO pages ({', '.join(self._PAGE_FIELDS)}) VALUES ({', '.join('?' * len(values))})", values)
            if record.get("article_id") and record.get("text_sha256"):
                self._db.execute(
                    "INSERT OR IGNORE INTO page_versions (article_id, text_sha256, html_sha256, fetched_at) VALUES (?, ?, ?, ?)",
                    (record["article_id"], record["text_sha256"], record.get("html_sha256") or "", record["fetched_at"]),
                )

    def pages(self) -> list[dict[str, Any]]:
        """Every page recorded with its article: what `ingest --reclean` reads again."""
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(self._PAGE_FIELDS)} FROM pages WHERE article_id IS NOT NULL ORDER BY url").fetchall()
        return [dict(zip(self._PAGE_FIELDS, row)) for row in rows]

    def revisions(self, article_ids: list[str]) -> dict[str, int]:
        """How many text versions each page-read article has had (2 or more: revised)."""
        found: dict[str, int] = {}
        for lo in range(0, len(article_ids), 500):
            block = article_ids[lo : lo + 500]
            with self._lock:
                rows = self._db.execute(
                    f"SELECT article_id, COUNT(*) FROM page_versions WHERE article_id IN ({', '.join('?' * len(block))}) GROUP BY article_id", block
                ).fetchall()
            found.update({article_id: int(count) for article_id, count in rows})
        return found

    def feed(self, url: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT etag, last_modified, fetched_at, entries FROM feeds WHERE url = ?", (url,)).fetchone()
        return {"etag": row[0], "last_modified": row[1], "fetched_at": row[2], "entries": row[3]} if row else None

    def feed_pages(self, feed_url: str) -> list[tuple[str, str]]:
        """(page URL, article id) of the pages ingested from a feed."""
        with self._lock:
            rows = self._db.execute(
                "SELECT url, article_id FROM pages WHERE feed_url = ? AND article_id IS NOT NULL ORDER BY url", (feed_url,)
            ).fetchall()
        return [(str(url), str(article_id)) for url, article_id in rows]

    def store_feed(self, url: str, etag: str | None, last_modified: str | None, fetched_at: str, entries: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO feeds (url, etag, last_modified, fetched_at, entries) VALUES (?, ?, ?, ?, ?)",
                (url, etag, last_modified, fetched_at, entries),
            )
