"""Results that must survive a crash: LLM answers, claims, verdicts, runs, in one SQLite file.

Every successful LLM answer is stored under a key made of the model, endpoint, parameters
and the exact messages (which carry the prompt and its inputs), so a rerun, or a second
report over the same articles, never pays twice for the same call. Failed calls are not
stored: a rerun retries exactly those. Each write is its own transaction, so Ctrl-C or a
crash loses at most the call in flight.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from checker.errors import StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS llm_calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    payload TEXT,
    raw TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (
    article_id TEXT NOT NULL,
    article_sha TEXT NOT NULL,
    extractor TEXT NOT NULL,
    claims TEXT NOT NULL,
    dropped INTEGER NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (article_id, article_sha, extractor)
);
CREATE TABLE IF NOT EXISTS verdicts (
    claim_id TEXT NOT NULL,
    other_article_id TEXT NOT NULL,
    other_sha TEXT NOT NULL,
    judge TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (claim_id, other_article_id, other_sha, judge)
);
CREATE TABLE IF NOT EXISTS pair_verdicts (
    earlier_claim TEXT NOT NULL,
    earlier_version TEXT NOT NULL,
    later_claim TEXT NOT NULL,
    later_version TEXT NOT NULL,
    judge TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (earlier_claim, earlier_version, later_claim, later_version, judge)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL,
    usage TEXT
);
"""


def cache_key(identity: dict[str, Any], messages: list[tuple[str, str]], schema: dict[str, Any]) -> str:
    blob = json.dumps({"identity": identity, "messages": messages, "schema": schema}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Results:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Worker threads make LLM calls; one lock serialises the short writes.
            self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"cannot open the results database {path} ({exc})", "Check that --store is writable; move a corrupted file aside to start afresh"
            ) from None
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    # -- LLM answers ---------------------------------------------------------------------

    def cached_call(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT payload, raw, input_tokens, output_tokens FROM llm_calls WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return {"payload": json.loads(row[0]) if row[0] is not None else None, "raw": row[1], "input_tokens": row[2], "output_tokens": row[3]}

    def store_call(self, key: str, model: str, endpoint: str, payload: Any, raw: str, input_tokens: int, output_tokens: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO llm_calls VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    model,
                    endpoint,
                    json.dumps(payload, ensure_ascii=False) if payload is not None else None,
                    raw,
                    input_tokens,
                    output_tokens,
                    time.time(),
                ),
            )

    # -- claims and verdicts -------------------------------------------------------------

    def claims(self, article_id: str, article_sha: str, extractor: str) -> tuple[list[dict[str, Any]], int] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT claims, dropped FROM claims WHERE article_id = ? AND article_sha = ? AND extractor = ?", (article_id, article_sha, extractor)
            ).fetchone()
        return (json.loads(row[0]), int(row[1])) if row else None

    def store_claims(self, article_id: str, article_sha: str, extractor: str, claims: list[dict[str, Any]], dropped: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?, ?)",
                (article_id, article_sha, extractor, json.dumps(claims, ensure_ascii=False), dropped, time.time()),
            )

    def store_verdict(self, claim_id: str, other_article_id: str, other_sha: str, judge: str, result: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?, ?)",
                (claim_id, other_article_id, other_sha, judge, json.dumps(result, ensure_ascii=False), time.time()),
            )

    def verdicts_for(self, other_article_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT result FROM verdicts WHERE other_article_id = ?", (other_article_id,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    # -- claim pairs (`checker report`) ----------------------------------------------------

    def pair_verdicts(self, judge: str, claim_ids: set[str]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
        """Stored verdicts of this judge on pairs whose two claims are both among ``claim_ids``.

        Keyed by (earlier claim, its article's version, later claim, its article's version):
        a caller keeps only the keys whose versions match the articles as they are now.
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT earlier_claim, earlier_version, later_claim, later_version, result FROM pair_verdicts WHERE judge = ?", (judge,)
            ).fetchall()
        return {(r[0], r[1], r[2], r[3]): json.loads(r[4]) for r in rows if r[0] in claim_ids and r[2] in claim_ids}

    def store_pair_verdict(self, key: tuple[str, str, str, str], judge: str, result: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO pair_verdicts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*key, judge, json.dumps(result, ensure_ascii=False), time.time()),
            )

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, command: str) -> int:
        with self._lock:
            cursor = self._db.execute("INSERT INTO runs (command, started) VALUES (?, ?)", (command, time.time()))
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, usage: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("UPDATE runs SET finished = ?, usage = ? WHERE id = ?", (time.time(), json.dumps(usage), run_id))
