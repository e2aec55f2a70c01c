"""Semantic search over the indexed passages."""

from __future__ import annotations

from checker.errors import InputError
from checker.schemas import SearchHit
from checker.storage import embeddings
from checker.storage.store import Store


def search(store: Store, query: str, k: int = 5, outlet: str | None = None) -> list[SearchHit]:
    if not query.strip():
        raise InputError("the search query is empty", "Give some words to search for")
    if k < 1:
        raise InputError(f"-k {k} must be at least 1", "Use e.g. -k 5")
    return store.search(embeddings.embed([query])[0], k=k, outlet=outlet)
