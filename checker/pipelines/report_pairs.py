"""Pairing claims for a report: each claim with its nearest claims of other outlets, one
judgement per (earlier claim, later report), plus every verdict already stored for a claim
here against a later report here (see checker/pipelines/report.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from checker.pipelines.report_models import ClaimPair
from checker.pipelines.stage import Task
from checker.schemas import Article, Claim, Evidence
from checker.storage.claim_index import Neighbour
from checker.storage.results_base import VerdictKey


def target(top_k: int) -> str:
    """What a claim is judged against, in the stored key: compare's own."""
    return f"passages:top{top_k}"


@dataclass
class Candidate:
    pair: ClaimPair
    earlier: tuple[Article, Claim]
    later: tuple[Article, Claim]

    def task(self, evidence: list[Evidence], top_k: int) -> Task:
        """The earlier claim judged against the later report's passages closest to it, as
        `compare` judges it. Keyed by both article versions, not only text hashes: a corrected
        date can turn a contradiction into a supersession."""
        (source, claim), (other, _) = self.earlier, self.later
        return Task(claim, source, other, evidence, target=target(top_k), similarity=self.pair.similarity, note={"later": self.pair.later})


def _order(a: tuple[Article, Claim], b: tuple[Article, Claim]) -> tuple[tuple[Article, Claim], tuple[Article, Claim]]:
    """Earlier report first: the judge then asks whether the later one supersedes it."""

    def key(item: tuple[Article, Claim]) -> tuple:
        return (item[0].published or dt.date.max, item[0].id, item[1].id)

    return (a, b) if key(a) <= key(b) else (b, a)


def _pair_id(earlier: Claim, later: Article) -> str:
    return pair_id(earlier.id, later.id)


def pair_id(claim_id: str, article_id: str) -> str:
    """A pair is one judgement: the earlier claim against the later report, whichever of that
    report's claims brought them together (that one may change as articles are added). The
    same id names compare's verdict on that claim against that article: what a review keys."""
    return "p-" + hashlib.sha1(f"{claim_id}|{article_id}".encode()).hexdigest()[:12]


def pair_up(
    articles: dict[str, Article],
    extracted: dict[str, list[Claim]],
    near: dict[str, list[Neighbour]],
    stored: dict[VerdictKey, tuple[str, dict]],
    min_similarity: float,
) -> list[Candidate]:
    """Each claim with its nearest claims from other outlets (``near``), plus every verdict
    stored for a claim here against a later report here, unchanged since (``stored``: an
    earlier report's, or `compare`'s conflicts and agreements): adding an article can push an
    old neighbour out of a claim's k nearest, but never drops a judgement from the report.
    One pair per earlier claim and later report: the claim is judged against that report's
    passages, so a second later claim of the same report would be the same judgement. The
    real run and its dry run both pair this way."""
    owned = {c.id: (articles[a], c) for a, claims in extracted.items() for c in claims}
    found: dict[str, Candidate] = {}

    def add(first: tuple[Article, Claim], second: tuple[Article, Claim], similarity: float) -> None:
        earlier, later = _order(first, second)
        pair_id = _pair_id(earlier[1], later[0])
        if pair_id in found and found[pair_id].pair.similarity >= similarity:
            return  # the same judgement, brought by a closer claim of the later report
        found[pair_id] = Candidate(ClaimPair(id=pair_id, earlier=earlier[1].id, later=later[1].id, similarity=similarity), earlier, later)

    for claim_id, neighbours in near.items():
        for neighbour in neighbours:
            if claim_id in owned and neighbour.claim_id in owned:
                add(owned[claim_id], owned[neighbour.claim_id], neighbour.similarity)
    for key, (other_id, row) in stored.items():
        earlier, other = owned.get(key.claim_id), articles.get(other_id)
        if earlier is None or other is None or earlier[0].version != key.claim_version or other.version != key.target_version:
            continue
        verdict = row.get("verdict") or {}
        by_report_made = row.get("similarity") is not None
        if not by_report_made and verdict.get("label") not in ("agree", "contradict", "superseded"):
            continue  # compare's silences are its own business; its findings are the report's too
        named = owned.get(row.get("later") or "")  # the later claim the report named when it judged
        later = named if named is not None and named[0].id == other.id else _claim_at(other, extracted.get(other.id, []), verdict.get("quote_start"))
        if later is not None and later[0].outlet != earlier[0].outlet and _order(earlier, later)[0] is earlier:
            add(earlier, later, float(row.get("similarity") or 0.0))
    return sorted(found.values(), key=lambda c: (-c.pair.similarity, c.pair.id))


def _claim_at(article: Article, claims: list[Claim], at: int | None) -> tuple[Article, Claim] | None:
    """The claim of ``article`` whose sentence holds position ``at`` (a verdict's quote), else
    its first claim: the later side a pair names."""
    inside = [c for c in claims if at is not None and c.start <= at < c.end]
    chosen = inside[0] if inside else (claims[0] if claims else None)
    return (article, chosen) if chosen is not None else None
