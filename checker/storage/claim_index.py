"""The claims collection: every extracted claim with its embedding, for pairing by meaning.

`checker report` pairs each claim with its k nearest claims *from other outlets*, so the
number of judged pairs grows with the number of claims, not with the square of the number
of articles. Records are keyed by extractor and article version: claims of an article
version are embedded and written once, and the claims of older versions are deleted when a
new version is written, so a query never mixes versions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checker.schemas import Article, Claim
from checker.storage import embeddings
from checker.storage.store import Store


@dataclass(frozen=True)
class Neighbour:
    claim_id: str
    article_id: str
    similarity: float


def record_id(claim: Claim, article_sha: str, extractor: str) -> str:
    # A claim id is (article, text); the same text can come from two extractors or versions.
    return f"{claim.id}@{article_sha[:12]}@{extractor}"


class ClaimIndex:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._claims = store.collection("claims")

    def indexed_versions(self, article_ids: Sequence[str], extractor: str) -> set[tuple[str, str]]:
        """(article id, article sha) pairs whose claims by this extractor are already indexed."""
        seen: set[tuple[str, str]] = set()
        step = self.store.batch_size
        for lo in range(0, len(article_ids), step):
            where = {"$and": [{"extractor": extractor}, {"article_id": {"$in": list(article_ids[lo : lo + step])}}]}
            found = self.store.call(self._claims.get, where=where, include=["metadatas"])
            seen.update((m["article_id"], m["article_sha"]) for m in found["metadatas"])
        return seen

    def write(self, items: Sequence[tuple[Article, list[Claim]]], extractor: str) -> int:
        """Embed and store these articles' claims, then drop their other versions' claims."""
        rows = [(article, claim) for article, claims in items for claim in claims]
        if rows:
            vectors = embeddings.embed([claim.text for _, claim in rows])
            step = self.store.batch_size
            for lo in range(0, len(rows), step):
                part = rows[lo : lo + step]
                self.store.call(
                    self._claims.upsert,
                    ids=[record_id(c, a.sha256, extractor) for a, c in part],
                    embeddings=[v.tolist() for v in vectors[lo : lo + step]],
                    documents=[c.text for _, c in part],
                    metadatas=[
                        {"claim_id": c.id, "article_id": a.id, "article_sha": a.sha256, "outlet": a.outlet, "extractor": extractor} for a, c in part
                    ],
                )
        # One lookup for the batch, not one per article: the callers write up to 64 at a time.
        current = {article.id: article.sha256 for article, _ in items}
        found = self.store.call(
            self._claims.get, where={"$and": [{"extractor": extractor}, {"article_id": {"$in": list(current)}}]}, include=["metadatas"]
        )
        stale = [i for i, m in zip(found["ids"], found["metadatas"]) if m["article_sha"] != current[m["article_id"]]]
        if stale:
            self.store.call(self._claims.delete, ids=stale)
        return len(rows)

    def neighbours(
        self, claims: Sequence[tuple[Article, Claim]], scope: dict[str, Article], extractor: str, k: int, min_similarity: float
    ) -> dict[str, list[Neighbour]]:
        """For each claim, its k nearest claims from other outlets among the articles in scope.

        One query per outlet and batch (the outlet filter is shared), so a corpus of many
        articles costs a few round trips per outlet, not one per claim.
        """
        by_outlet: dict[str, list[tuple[Article, Claim]]] = defaultdict(list)
        for article, claim in claims:
            by_outlet[article.outlet].append((article, claim))
        found_for: dict[str, list[Neighbour]] = {}
        scope_ids = sorted(scope)
        step = 256
        for outlet, members in sorted(by_outlet.items()):
            others = [a for a in scope_ids if scope[a].outlet != outlet]
            if not others:
                continue
            where = {"$and": [{"extractor": extractor}, {"article_id": {"$in": others}}]}
            vectors = self._vectors(members, extractor)
            for lo in range(0, len(members), step):
                # Extra results: claims of stale versions are filtered out below.
                found = self.store.call(
                    self._claims.query,
                    query_embeddings=[list(v) for v in vectors[lo : lo + step]],
                    n_results=k + 4,
                    where=where,
                    include=["metadatas", "distances"],
                )
                for (_, claim), metas, dists in zip(members[lo : lo + step], found["metadatas"], found["distances"]):
                    near = []
                    for meta, dist in zip(metas, dists):
                        other = scope.get(meta["article_id"])
                        similarity = round(1.0 - float(dist), 4)
                        if other is None or meta["article_sha"] != other.sha256 or similarity < min_similarity:
                            continue
                        near.append(Neighbour(meta["claim_id"], meta["article_id"], similarity))
                    found_for[claim.id] = near[:k]
        return found_for

    def _vectors(self, members: Sequence[tuple[Article, Claim]], extractor: str) -> list:
        """The claims' stored embeddings (written by ``write``): no second pass through the model."""
        ids = [record_id(claim, article.sha256, extractor) for article, claim in members]
        by_id: dict[str, Any] = {}
        step = self.store.batch_size
        for lo in range(0, len(ids), step):
            found = self.store.call(self._claims.get, ids=ids[lo : lo + step], include=["embeddings"])
            by_id.update(zip(found["ids"], found["embeddings"]))
        missing = [i for i, record in enumerate(ids) if record not in by_id]
        if missing:  # not indexed (cannot happen after ``write``): embed them now
            for i, vector in zip(missing, embeddings.embed([members[i][1].text for i in missing])):
                by_id[ids[i]] = vector
        return [[float(x) for x in by_id[record]] for record in ids]
