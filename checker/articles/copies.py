"""Wire copies: articles of different outlets whose text is (nearly) the same.

Agencies' stories are republished by many outlets, each with its own headline, byline and
trimmings. Two such articles agreeing is one source, not two outlets corroborating each
other, so the report groups them and never judges one against the other.

The rule: the texts' word 5-grams (shingles, lower-cased, punctuation dropped) are compared
by containment, the share of the shorter text's shingles found in the longer one; at
``COPY_AT`` or more the two are copies. Containment rather than Jaccard: a republisher that
trims the last paragraphs or adds a standfirst still carries the agency text whole. The
threshold and its measured precision and recall are in docs/BENCHMARKS.md (bench/copies_bench.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from checker.schemas import Article

SHINGLE_WORDS = 5
COPY_AT = 0.6  # chosen on a labelled sample of real pairs, measured on another (bench/copies_bench.py)
# A shingle found in this many articles or more is boilerplate ("all rights reserved ..."),
# not text two articles share by copying; it is not counted.
COMMON_IN = 50
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[i : i + size])) for i in range(len(words) - size + 1)}


def containment(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class CopyGroup:
    """Articles carrying one text: ``first`` was published first (the likely source as far
    as these articles show), ``members`` all of them in date order, ``shared`` the lowest
    containment between a member and the group it joined."""

    first: str
    members: tuple[str, ...]
    outlets: tuple[str, ...]
    shared: float


def copy_pairs(articles: Sequence[Article], copy_at: float = COPY_AT) -> dict[tuple[str, str], float]:
    """Each pair of articles of different outlets at ``copy_at`` or more: (id, id) -> containment."""
    sets = {a.id: shingles(a.text) for a in articles}
    holders: dict[int, list[str]] = defaultdict(list)
    for article_id, found in sets.items():
        for shingle in found:
            holders[shingle].append(article_id)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for ids in holders.values():
        if 1 < len(ids) < COMMON_IN:
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    shared[(a, b) if a < b else (b, a)] += 1
    outlet = {a.id: a.outlet for a in articles}
    found_pairs = {}
    for (a, b), count in shared.items():
        if outlet[a] == outlet[b]:
            continue
        score = count / min(len(sets[a]), len(sets[b]))
        if score >= copy_at:
            found_pairs[(a, b)] = round(score, 3)
    return found_pairs


def copy_groups(articles: Sequence[Article], copy_at: float = COPY_AT) -> list[CopyGroup]:
    """The groups of copies among ``articles`` (pairs joined transitively), first published first."""
    pairs = copy_pairs(articles, copy_at)
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    by_id = {a.id: a for a in articles}
    members: dict[str, list[str]] = defaultdict(list)
    for article_id in {x for pair in pairs for x in pair}:
        members[root(article_id)].append(article_id)
    groups = []
    for ids in members.values():
        ordered = sorted(ids, key=lambda i: (by_id[i].published is None, by_id[i].published, by_id[i].outlet, i))
        lowest = min(score for (a, b), score in pairs.items() if a in ids)
        groups.append(CopyGroup(ordered[0], tuple(ordered), tuple(dict.fromkeys(by_id[i].outlet for i in ordered)), lowest))
    return sorted(groups, key=lambda g: g.first)
