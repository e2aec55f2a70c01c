"""The results store's reviews (SQLite): a reviewer's decision on a verdict, and the stored
verdicts a review is looked up among. Mixed into SQLiteResults, whose connection and lock
these methods use."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

_FIELDS = (
    "pair_id",
    "reviewer",
    "decision",
    "right_label",
    "note",
    "label",
    "judge",
    "claim_id",
    "claim_version",
    "other_article",
    "other_version",
    "claim_text",
    "quote",
    "created",
)


class ReviewRecords:
    _db: sqlite3.Connection
    _lock: threading.Lock

    def store_review(self, record: dict[str, Any]) -> None:
        """One reviewer's decision on one pair; a second one by the same reviewer replaces it."""
        values = tuple(record.get(name) for name in _FIELDS[:-1]) + (time.time(),)
        with self._lock:
            self._db.execute(f"INSERT OR REPLACE INTO reviews ({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})", values)

    def reviews(self, pair_ids: list[str] | None = None) -> list[dict[str, Any]]:
        """Reviews, newest last: of these pairs, or all."""
        query = f"SELECT {', '.join(_FIELDS)} FROM reviews"
        rows: list[tuple] = []
        with self._lock:
            if pair_ids is None:
                rows = self._db.execute(query + " ORDER BY created").fetchall()
            else:
                for lo in range(0, len(pair_ids), 500):
                    block = pair_ids[lo : lo + 500]
                    rows += self._db.execute(query + f" WHERE pair_id IN ({', '.join('?' * len(block))})", block).fetchall()
        return sorted((dict(zip(_FIELDS, row)) for row in rows), key=lambda r: r["created"])

    def verdict_rows(self) -> Iterator[tuple[str, str, str, str, str, dict[str, Any], float]]:
        """Every stored claim verdict: (judge, claim id, claim version, other article, its
        version, the stored result, when): what a review is looked up among."""
        with self._lock:
            rows = self._db.execute(
                "SELECT judge, claim_id, claim_version, other_article, target_version, result, created FROM claim_verdicts"
            ).fetchall()
        for judge, claim_id, claim_version, other, other_version, result, created in rows:
            yield judge, claim_id, claim_version, other, other_version, json.loads(result), float(created)

    def claim_text(self, article_id: str, claim_id: str) -> str | None:
        """A stored claim's text, from any extractor's claims of its article."""
        with self._lock:
            rows = self._db.execute("SELECT claims FROM claims WHERE article_id = ?", (article_id,)).fetchall()
        for (claims,) in rows:
            for claim in json.loads(claims):
                if claim.get("id") == claim_id:
                    return str(claim.get("text"))
        return None
