"""The results store in one SQLite file (``sqlite:///path``): the default, needing nothing.

Every successful LLM answer is stored under a key made of the model, endpoint, parameters
and the exact messages (which carry the prompt and its inputs), so a rerun, or a second
report over the same articles, never pays twice for the same call. Failed calls are not
stored: a rerun retries exactly those. Each write is its own transaction, so Ctrl-C or a
crash loses at most the call in flight.

The file is readable by its owner only (0600): it holds the LLM's answers about articles a
newsroom may not have published yet, and the history of the runs. Its tables and their
numbered migrations are in ``sqlite_schema.py``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.errors import StoreError
from checker.storage.results_base import ClaimsHistory, OnWait, VerdictKey
from checker.storage.secrets import redact_command
from checker.storage.sqlite_pages import PageRecords
from checker.storage.sqlite_reviews import ReviewRecords
from checker.storage.sqlite_schema import migrate, open_read_only, owner_only


class SQLiteResults(PageRecords, ReviewRecords):
    def __init__(self, path: Path, read_only: bool = False) -> None:
        """``read_only``: a dry run reads what is stored and changes nothing (not even the
        schema); a missing file or table reads as empty."""
        self.path = path
        self.location = f"sqlite:///{path}"  # SQLAlchemy's spelling (four slashes for an absolute path)
        self.read_only = read_only
        self._lock = threading.Lock()
        if read_only:
            self._db = open_read_only(path)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            owner_only(path)
            # Worker threads make LLM calls; one lock serialises the short writes.
            self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            migrate(self._db, str(path))
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"cannot open the results database {path} ({exc})", "Check that --store is writable; move a corrupted file aside to start afresh"
            ) from None

    def close(self) -> None:
        """Let go of the file now (a long-running process opening stores must not leak them)."""
        self._db.close()

    # -- LLM answers ---------------------------------------------------------------------

    def cached_call(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT payload, raw, input_tokens, output_tokens FROM llm_calls WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return {"payload": json.loads(row[0]) if row[0] is not None else None, "raw": row[1], "input_tokens": row[2], "output_tokens": row[3]}

    def store_call(
        self,
        key: str,
        model: str,
        endpoint: str,
        payload: Any,
        raw: str,
        input_tokens: int,
        output_tokens: int,
        schema: str | None = None,
        seconds: float | None = None,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO llm_calls (key, model, endpoint, payload, raw, input_tokens, output_tokens, created, schema, seconds) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    model,
                    endpoint,
                    json.dumps(payload, ensure_ascii=False) if payload is not None else None,
                    raw,
                    input_tokens,
                    output_tokens,
                    time.time(),
                    schema,
                    seconds,
                ),
            )

    def mean_output_tokens(self, model: str, schema: str) -> float | None:
        """How many tokens this model's answers of this schema took, on average, in this store."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT AVG(output_tokens), COUNT(*) FROM llm_calls WHERE model = ? AND schema = ? AND output_tokens > 0", (model, schema)
                ).fetchone()
        except sqlite3.OperationalError:  # read-only, and a store from before the schema column
            return None
        return float(row[0]) if row and row[1] else None

    def mean_call_seconds(self, model: str, schema: str) -> float | None:
        """How long this model's calls of this schema took, on average, as measured here: what
        a dry run multiplies its call count by (None before the first timed call)."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT AVG(seconds), COUNT(seconds) FROM llm_calls WHERE model = ? AND schema = ? AND seconds IS NOT NULL", (model, schema)
                ).fetchone()
        except sqlite3.OperationalError:  # read-only, and a store from before the seconds column
            return None
        return float(row[0]) if row and row[1] else None

    # -- claims and verdicts -------------------------------------------------------------

    def extraction_tokens_per_claim(self, model: str, schema: str) -> float | None:
        """Output tokens this model's extraction answers took per claim kept, over every article
        it has extracted in this store: a long article's windows together claim more than
        --max-claims keeps, and that is paid for too (None if it has extracted nothing)."""
        # The claims table knows extractors, the calls table models: an LLM extractor's name is
        # ``llm:<model>:<prompt>:<max claims>``, so both sums cover the same extractions.
        prefix = f"llm:{model}:"
        try:
            with self._lock:
                paid = self._db.execute(
                    "SELECT SUM(output_tokens) FROM llm_calls WHERE model = ? AND schema = ? AND output_tokens > 0", (model, schema)
                ).fetchone()
                kept = self._db.execute(
                    "SELECT SUM(json_array_length(claims)) FROM claims WHERE substr(extractor, 1, ?) = ?", (len(prefix), prefix)
                ).fetchone()
        except sqlite3.OperationalError:  # read-only, and a store from before the schema column
            return None
        return float(paid[0]) / float(kept[0]) if paid and paid[0] and kept and kept[0] else None

    def claims(self, article_id: str, article_sha: str, extractor: str) -> tuple[list[dict[str, Any]], int] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT claims, dropped FROM claims WHERE article_id = ? AND article_sha = ? AND extractor = ?", (article_id, article_sha, extractor)
            ).fetchone()
        return (json.loads(row[0]), int(row[1])) if row else None

    def claims_per_article(self, extractor: str) -> ClaimsHistory | None:
        """How many claims this extractor gave per article version, over every article it has
        extracted in this store (None if none)."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*), MAX(json_array_length(claims)) FROM claims WHERE extractor = ?", (extractor,)).fetchone()
        return ClaimsHistory(int(row[0]), int(row[1])) if row and row[0] else None

    def store_claims(self, article_id: str, article_sha: str, extractor: str, claims: list[dict[str, Any]], dropped: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?, ?)",
                (article_id, article_sha, extractor, json.dumps(claims, ensure_ascii=False), dropped, time.time()),
            )

    def store_verdict(self, judge: str, key: VerdictKey, other_article: str, result: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO claim_verdicts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (judge, *key, other_article, json.dumps(result, ensure_ascii=False), time.time()),
            )

    def verdicts(self, judge: str, keys: list[VerdictKey]) -> dict[VerdictKey, dict[str, Any]]:
        """The stored verdicts of this judge under any of ``keys``."""
        wanted = set(keys)
        claim_ids = sorted({k.claim_id for k in wanted})
        found: dict[VerdictKey, dict[str, Any]] = {}
        for lo in range(0, len(claim_ids), 500):  # SQLite limits the parameters of one query
            batch = claim_ids[lo : lo + 500]
            with self._lock:
                rows = self._db.execute(
                    "SELECT claim_id, claim_version, target, target_version, result FROM claim_verdicts "
                    f"WHERE judge = ? AND claim_id IN ({','.join('?' * len(batch))})",
                    (judge, *batch),
                ).fetchall()
            for row in rows:
                key = VerdictKey(*row[:4])
                if key in wanted:
                    found[key] = json.loads(row[4])
        return found

    def claim_verdicts(self, judge: str, claim_ids: set[str], target: str) -> dict[VerdictKey, tuple[str, dict[str, Any]]]:
        """Every stored verdict of this judge on one of ``claim_ids`` against ``target`` (e.g.
        another article's closest passages), at whatever article versions it was judged, with
        the other article's id: the caller keeps those whose versions match the articles now."""
        with self._lock:
            rows = self._db.execute(
                "SELECT claim_id, claim_version, target, target_version, other_article, result FROM claim_verdicts WHERE judge = ? AND target = ?",
                (judge, target),
            ).fetchall()
        return {VerdictKey(*r[:4]): (r[4], json.loads(r[5])) for r in rows if r[0] in claim_ids}

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, args: list[str]) -> int:
        """Record a run's command line, redacted here so no caller can store a secret."""
        command = redact_command(args)[:500]
        with self._lock:
            cursor = self._db.execute("INSERT INTO runs (command, started) VALUES (?, ?)", (command, time.time()))
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, usage: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("UPDATE runs SET finished = ?, usage = ? WHERE id = ?", (time.time(), json.dumps(usage), run_id))

    # -- one writer at a time -------------------------------------------------------------

    @contextlib.contextmanager
    def writer_lock(self, on_wait: OnWait | None = None) -> Iterator[None]:
        """One run at a time writes claims and verdicts to this file: a second `report` on it
        waits, then finds the first run's work cached instead of paying for it again."""
        from filelock import FileLock, Timeout

        if self.read_only:
            yield
            return
        where = self.path.parent / "writer.lock"
        lock = FileLock(str(where))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait is not None:
                on_wait(f"waiting for another checker run on {self.path.parent} to finish (it holds {where})")
            lock.acquire()
        try:
            yield
        finally:
            lock.release()
