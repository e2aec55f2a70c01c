"""The SQLite results file's tables, their versioned migrations, and how the file is opened.

The schema version is SQLite's ``PRAGMA user_version``; ``MIGRATIONS`` is append-only, and a
file at version N runs the steps after N when it is opened, each in one transaction.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

from checker.errors import StoreError
from checker.storage.secrets import redact_command

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


# report's pair verdicts as claim verdicts: the target is the later claim (one statement for the
# migration and for a read-only dry run's view of an old store).
_MOVE_PAIR_VERDICTS = (
    "INSERT OR IGNORE INTO {table} SELECT judge, earlier_claim, earlier_version, 'claim:' || later_claim, "
    "later_version, '', result, created FROM pair_verdicts"
)


def _baseline(db: sqlite3.Connection) -> None:
    """Version 1: the tables, and stores written before versioning brought up to them:
    `compare`'s old verdicts (keyed by the other article's text hash, never read back) go;
    `report`'s pair verdicts move to claim_verdicts unchanged (target: the later claim), so no
    paid verdict is lost; the calls table gains the answer's schema (for dry-run estimates)."""
    for statement in _SCHEMA.split(";"):  # one by one: executescript would commit the migration's transaction
        if statement.strip():
            db.execute(statement)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema" not in {row[1] for row in db.execute("PRAGMA table_info(llm_calls)")}:
        db.execute("ALTER TABLE llm_calls ADD COLUMN schema TEXT")
    if "pair_verdicts" in tables:
        db.execute(_MOVE_PAIR_VERDICTS.format(table="claim_verdicts"))
        db.execute("DROP TABLE pair_verdicts")
    if "verdicts" in tables:
        db.execute("DROP TABLE verdicts")


def _redact_recorded_runs(db: sqlite3.Connection) -> None:
    """Version 2: run records written before redaction held command lines verbatim, with any
    credentials in --base-url: they are redacted in place."""
    for run_id, command in db.execute("SELECT id, command FROM runs").fetchall():
        safe = redact_command(command.split(" "))
        if safe != command:
            db.execute("UPDATE runs SET command = ? WHERE id = ?", (safe, run_id))


def _call_seconds(db: sqlite3.Connection) -> None:
    """Version 3: each LLM call's wall time, so a dry run can say how long a run will take
    with this model on this machine (calls stored before have none)."""
    if "seconds" not in {row[1] for row in db.execute("PRAGMA table_info(llm_calls)")}:
        db.execute("ALTER TABLE llm_calls ADD COLUMN seconds REAL")


# What the web brought in (version 4): each page as last fetched (its HTTP validators, its
# canonical URL, the article it became, the feed entry it came from), each text version a
# page has had (a revision by its outlet), and each feed's validators.
_WEB_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    canonical_url TEXT NOT NULL,
    article_id TEXT,
    text_sha256 TEXT,
    html_sha256 TEXT,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT NOT NULL,
    feed_url TEXT,
    entry_updated TEXT,
    entry_published TEXT,
    entry_title TEXT,
    charset TEXT
);
CREATE TABLE IF NOT EXISTS page_versions (
    article_id TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    html_sha256 TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (article_id, text_sha256)
);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT NOT NULL,
    entries INTEGER NOT NULL
);
"""


def _web_pages(db: sqlite3.Connection) -> None:
    """Version 4: the tables of pages and feeds read from the web."""
    for statement in _WEB_SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


# A reviewer's word on a verdict (version 5), keyed by the pair (the claim and the other
# article, the same id in compare and report) and the reviewer: it survives re-runs; the
# versions it was given for say when an article changed since.
_REVIEW_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    pair_id TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL,
    right_label TEXT,
    note TEXT,
    label TEXT NOT NULL,
    judge TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    claim_version TEXT NOT NULL,
    other_article TEXT NOT NULL,
    other_version TEXT NOT NULL,
    claim_text TEXT NOT NULL,
    quote TEXT,
    created REAL NOT NULL,
    PRIMARY KEY (pair_id, reviewer)
);
"""


def _reviews(db: sqlite3.Connection) -> None:
    """Version 5: reviewers' decisions on verdicts."""
    db.execute(_REVIEW_SCHEMA)


# Append only: a store at version N runs MIGRATIONS[N:] when it is opened, each in one
# transaction with the version it brings the store to.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_baseline, _redact_recorded_runs, _call_seconds, _web_pages, _reviews]


def migrate(db: sqlite3.Connection, where: str) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise StoreError(
            f"the results database {where} was written by a newer checker (schema {version}, this one knows {len(MIGRATIONS)})",
            "Upgrade checker, or point --store elsewhere",
        )
    for number, step in enumerate(MIGRATIONS[version:], version + 1):
        with db:
            db.execute("BEGIN")
            step(db)
            db.execute(f"PRAGMA user_version = {number}")


def owner_only(path: Path) -> None:
    """Create the file readable by its owner only, or take group and other access away from
    one created before (SQLite gives its -wal and -shm files the same mode)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    elif stat.S_IMODE(path.stat().st_mode) & 0o077:
        with contextlib.suppress(OSError):  # not ours to change (a shared file): leave it
            path.chmod(0o600)


def open_read_only(path: Path) -> sqlite3.Connection:
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
    for statement in (_SCHEMA + _WEB_SCHEMA + _REVIEW_SCHEMA).split(";"):
        name = statement.split("EXISTS", 1)[1].split("(", 1)[0].strip() if "EXISTS" in statement else None
        if name and name not in tables:
            db.execute(statement.replace("CREATE TABLE", "CREATE TEMP TABLE"))
    if "pair_verdicts" in tables and "claim_verdicts" not in tables:
        db.execute(_MOVE_PAIR_VERDICTS.format(table="temp.claim_verdicts"))
    return db
