"""What a claim extractor is, and how a claim is named.

Extractors are interchangeable: the LLM one (``llm_claims``) and the offline one that takes
the clauses of an article's checkable sentences (``offline_claims``). Each has a ``name``
that goes into cache keys, so claims from different extractors never mix.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from checker.schemas import Article, Claim


class Extractor(Protocol):
    name: str

    @property
    def asks_llm(self) -> bool:
        """Whether extracting costs LLM calls (what a dry run prices)."""
        ...

    def extract(self, article: Article) -> tuple[list[Claim], int]:
        """The article's claims, and how many proposed claims were dropped as unverifiable."""
        ...


def claim_id(article_id: str, text: str) -> str:
    """A claim's id: its article and a hash of its words, so the same claim keeps its id."""
    return f"{article_id}#{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10]}"
