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
from typing import Any, NamedTuple

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
    created REAL NOT NULL,
    schema TEXT
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
CREATE TABLE IF NOT EXISTS claim_verdicts (
    judge TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    claim_version TEXT NOT NULL,
    target TEXT NOT NULL,
    target_version TEXT NOT NULL,
    other_article TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (judge, claim_id, claim_version, target, target_version)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL,
    usage TEXT
);
"""


class ClaimsHistory(NamedTuple):
    """What an extractor gave the articles it has read in this store: how many articles, and
    the most claims it gave one."""

    articles: int
    most: int


class VerdictKey(NamedTuple):
    """Where a verdict is stored: the claim and its article's version, what it was judged
    against (the other article's passages, or one claim of it) and that article's version."""

    claim_id: str
    claim_version: str
    target: str
    target_version: str


# report's pair verdicts as claim verdicts: the target is the later claim (one statement for the
# migration and for a read-only dry run's view of an old store).
_MOVE_PAIR_VERDICTS = (
    "INSERT OR IGNORE INTO {table} SELECT judge, earlier_claim, earlier_version, 'claim:' || later_claim, "
    "later_version, '', result, created FROM pair_verdicts"
)


def _migrate(db: sqlite3.Connection) -> None:
    """Stores written before verdicts had one table: `compare`'s verdicts (keyed by the other
    article's text hash, never read back) go; `report`'s pair verdicts move to claim_verdicts
    unchanged (target: the later claim), so no paid verdict is lost."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # The answer's schema, so a dry run can learn how long this model's answers are.
    if "schema" not in {row[1] for row in db.execute("PRAGMA table_info(llm_calls)")}:
        db.execute("ALTER TABLE llm_calls ADD COLUMN schema TEXT")
    if "pair_verdicts" in tables:
        with db:
            db.execute(_MOVE_PAIR_VERDICTS.format(table="claim_verdicts"))
            db.execute("DROP TABLE pair_verdicts")
    if "verdicts" in tables:
        db.execute("DROP TABLE verdicts")


def _read_only(path: Path) -> sqlite3.Connection:
    """The file opened read-only, with the tables it lacks (a new or an old store) as empty
    temporary ones, and an old store's pair verdicts seen as the migration would move them."""
    try:
        db = (
            sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            if path.exists()
            else sqlite3.connect(":memory:", check_same_thread=False)
        )
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read the results database {path} ({exc})", "Move a corrupted file aside to start afresh") from None
    for statement in _SCHEMA.split(";"):
        name = statement.split("EXISTS", 1)[1].split("(", 1)[0].strip() if "EXISTS" in statement else None
        if name and name not in tables:
            db.execute(statement.replace("CREATE TABLE", "CREATE TEMP TABLE"))
    if "pair_verdicts" in tables and "claim_verdicts" not in tables:
        db.execute(_MOVE_PAIR_VERDICTS.format(table="temp.claim_verdicts"))
    return db


def cache_key(identity: dict[str, Any], messages: list[tuple[str, str]], schema: dict[str, Any]) -> str:
    blob = json.dumps({"identity": identity, "messages": messages, "schema": schema}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Results:
    def __init__(self, path: Path, read_only: bool = False) -> None:
        """``read_only``: a dry run reads what is stored and changes nothing (not even the
        schema); a missing file or table reads as empty."""
        self.path = path
        self.read_only = read_only
        self._lock = threading.Lock()
        if read_only:
            self._db = _read_only(path)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Worker threads make LLM calls; one lock serialises the short writes.
            self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            _migrate(self._db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"cannot open the results database {path} ({exc})", "Check that --store is writable; move a corrupted file aside to start afresh"
            ) from None

    def close(self) -> None:
        self._db.close()

    # -- LLM answers ---------------------------------------------------------------------

    def cached_call(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT payload, raw, input_tokens, output_tokens FROM llm_calls WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return {"payload": json.loads(row[0]) if row[0] is not None else None, "raw": row[1], "input_tokens": row[2], "output_tokens": row[3]}

    def store_call(
        self, key: str, model: str, endpoint: str, payload: Any, raw: str, input_tokens: int, output_tokens: int, schema: str | None = None
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO llm_calls (key, model, endpoint, payload, raw, input_tokens, output_tokens, created, schema) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    def claim_pair_verdicts(self, judge: str, claim_ids: set[str]) -> dict[VerdictKey, dict[str, Any]]:
        """Stored verdicts of this judge of one claim against another (`report`), both among
        ``claim_ids``, at whatever article versions they were judged: the caller keeps those
        whose versions match the articles as they are now."""
        with self._lock:
            rows = self._db.execute(
                "SELECT claim_id, claim_version, target, target_version, result FROM claim_verdicts WHERE judge = ? AND target LIKE 'claim:%'",
                (judge,),
            ).fetchall()
        return {VerdictKey(*r[:4]): json.loads(r[4]) for r in rows if r[0] in claim_ids and r[2].removeprefix("claim:") in claim_ids}

    def verdicts_against(self, other_article: str) -> list[dict[str, Any]]:
        """Every stored verdict of a claim judged against this article (any judge)."""
        with self._lock:
            rows = self._db.execute("SELECT result FROM claim_verdicts WHERE other_article = ?", (other_article,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, command: str) -> int:
        with self._lock:
            cursor = self._db.execute("INSERT INTO runs (command, started) VALUES (?, ?)", (command, time.time()))
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, usage: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("UPDATE runs SET finished = ?, usage = ? WHERE id = ?", (time.time(), json.dumps(usage), run_id))
