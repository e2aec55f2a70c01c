"""What a results store is: the interface every backend implements, and its records.

The results store keeps what must survive a crash and must never be paid for twice: LLM
answers, each article's claims, verdicts, the run history. Pipelines see only this interface
(``ResultsStore``); ``checker.storage.results.open_results`` picks the backend from a URL-like
setting (``sqlite:///path`` today), so another backend is added without touching pipelines.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, Protocol

# Called once when the store's writer lock is held by another run, before waiting for it.
OnWait = Callable[[str], None]


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


def cache_key(identity: dict[str, Any], messages: list[tuple[str, str]], schema: dict[str, Any]) -> str:
    """The key of one LLM answer: model, endpoint, parameters, the exact messages and schema."""
    blob = json.dumps({"identity": identity, "messages": messages, "schema": schema}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResultsStore(Protocol):
    """LLM answers, claims, verdicts and runs. Each write is its own transaction: a crash
    loses at most the write in flight. ``read_only`` stores (a dry run) change nothing."""

    location: str  # where it is, safe to print (no credentials)
    read_only: bool

    # -- LLM answers
    def cached_call(self, key: str) -> dict[str, Any] | None: ...
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
    ) -> None: ...
    def mean_output_tokens(self, model: str, schema: str) -> float | None: ...
    def mean_call_seconds(self, model: str, schema: str) -> float | None: ...
    def extraction_tokens_per_claim(self, model: str, schema: str) -> float | None: ...

    # -- claims and verdicts
    def claims(self, article_id: str, article_sha: str, extractor: str) -> tuple[list[dict[str, Any]], int] | None: ...
    def claims_per_article(self, extractor: str) -> ClaimsHistory | None: ...
    def store_claims(self, article_id: str, article_sha: str, extractor: str, claims: list[dict[str, Any]], dropped: int) -> None: ...
    def store_verdict(self, judge: str, key: VerdictKey, other_article: str, result: dict[str, Any]) -> None: ...
    def verdicts(self, judge: str, keys: list[VerdictKey]) -> dict[VerdictKey, dict[str, Any]]: ...
    def claim_verdicts(self, judge: str, claim_ids: set[str], target: str) -> dict[VerdictKey, tuple[str, dict[str, Any]]]: ...

    # -- pages and feeds read from the web (checker/pipelines/web_ingest.py)
    def page(self, url: str) -> dict[str, Any] | None: ...
    def store_page(self, record: dict[str, Any]) -> None: ...
    def pages(self) -> list[dict[str, Any]]: ...
    def revisions(self, article_ids: list[str]) -> dict[str, int]: ...
    def feed(self, url: str) -> dict[str, Any] | None: ...
    def feed_pages(self, feed_url: str) -> list[tuple[str, str]]: ...
    def store_feed(self, url: str, etag: str | None, last_modified: str | None, fetched_at: str, entries: int) -> None: ...

    # -- reviews (checker/pipelines/reviews.py)
    def store_review(self, record: dict[str, Any]) -> None: ...
    def reviews(self, pair_ids: list[str] | None = None) -> list[dict[str, Any]]: ...
    def verdict_rows(self) -> Iterator[tuple[str, str, str, str, str, dict[str, Any], float]]: ...
    def claim_text(self, article_id: str, claim_id: str) -> str | None: ...

    # -- runs: the command is redacted by the store itself before it is written
    def start_run(self, args: list[str]) -> int: ...
    def finish_run(self, run_id: int, usage: dict[str, Any]) -> None: ...

    def close(self) -> None: ...

    # -- one writer at a time
    def writer_lock(self, on_wait: OnWait | None = None) -> contextlib.AbstractContextManager[None]: ...


@contextlib.contextmanager
def no_lock() -> Iterator[None]:
    """For read-only stores: nothing is written, so nothing needs guarding."""
    yield
