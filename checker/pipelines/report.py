"""`checker report`: which outlets agree, on what, and when, over a whole corpus.

articles -> claims (once per article version) -> claims collection in Chroma -> each claim's
k nearest claims from other outlets -> one verdict per (earlier claim, later report) -> events,
conflicts, matrix.

A pair is judged exactly as `compare` judges a claim: the earlier report's claim against the
later report's passages closest to it, under the same stored key. So the report and `compare`
never disagree about a claim and a report: each reuses what the other judged, and a conflict
`compare` found between two articles of the report is in the report even where the pairing by
meaning would not have proposed it.

Pairing by meaning instead of comparing every article with every other keeps the judged
pairs at most k per claim: linear in the corpus. Claims and verdicts come from the stage
compare shares (checker/pipelines/stage.py): every verdict is stored as it finishes, keyed
by both claims and both article versions, so a rerun judges only new pairs (those that
involve a new or changed article), a killed run resumes where it stopped, and a run
stopped by --max-calls / --budget still renders, saying what is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from checker.errors import InputError
from checker.pipelines import events as analysis
from checker.pipelines.compare import article_ref, evidence_for
from checker.pipelines.judging import Judging
from checker.pipelines.report_models import ClaimPair, Coverage, Report, ReportArticle, ReportClaim
from checker.pipelines.stage import Progress, Stage, Task
from checker.schemas import Article, Claim, Evidence
from checker.storage import embeddings
from checker.storage.claim_index import ClaimIndex, Neighbour
from checker.storage.results_base import ResultsStore, VerdictKey
from checker.storage.store import Store


@dataclass
class ReportOptions:
    neighbours: int = 3
    min_similarity: float = 0.5
    concurrency: int = 4
    top_k: int = 4  # passages of the later report per claim, as `compare -k` (part of the stored key)


def target(top_k: int) -> str:
    """What a claim is judged against, in the stored key: compare's own."""
    return f"passages:top{top_k}"


@dataclass
class _Candidate:
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
    """A pair is one judgement: the earlier claim against the later report, whichever of that
    report's claims brought them together (that one may change as articles are added)."""
    return "p-" + hashlib.sha1(f"{earlier.id}|{later.id}".encode()).hexdigest()[:12]


def pair_up(
    articles: dict[str, Article],
    extracted: dict[str, list[Claim]],
    near: dict[str, list[Neighbour]],
    stored: dict[VerdictKey, tuple[str, dict]],
    min_similarity: float,
) -> list[_Candidate]:
    """Each claim with its nearest claims from other outlets (``near``), plus every verdict
    stored for a claim here against a later report here, unchanged since (``stored``: an
    earlier report's, or `compare`'s conflicts and agreements): adding an article can push an
    old neighbour out of a claim's k nearest, but never drops a judgement from the report.
    One pair per earlier claim and later report: the claim is judged against that report's
    passages, so a second later claim of the same report would be the same judgement. The
    real run and its dry run both pair this way."""
    owned = {c.id: (articles[a], c) for a, claims in extracted.items() for c in claims}
    found: dict[str, _Candidate] = {}

    def add(first: tuple[Article, Claim], second: tuple[Article, Claim], similarity: float) -> None:
        earlier, later = _order(first, second)
        pair_id = _pair_id(earlier[1], later[0])
        if pair_id in found and found[pair_id].pair.similarity >= similarity:
            return  # the same judgement, brought by a closer claim of the later report
        found[pair_id] = _Candidate(ClaimPair(id=pair_id, earlier=earlier[1].id, later=later[1].id, similarity=similarity), earlier, later)

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


class _Run:
    def __init__(
        self, articles: Sequence[Article], store: Store, judging: Judging, results: ResultsStore, options: ReportOptions, progress: Progress | None
    ) -> None:
        self.articles = {a.id: a for a in articles}
        self.store = store
        self.judging = judging
        self.results = results
        self.options = options
        # Claims and verdicts come from the stage compare shares, under the same keys.
        self.stage = Stage(results, options.concurrency, progress)

    # -- 1. claims ----------------------------------------------------------------------

    def extract(self) -> dict[str, list[Claim]]:
        """Each article's claims, from the results cache or the extractor, a few at a time."""
        return self.stage.claims(sorted(self.articles.values(), key=lambda a: a.id), self.judging.extractor)

    def index(self, extracted: dict[str, list[Claim]]) -> ClaimIndex:
        claim_index = ClaimIndex(self.store)
        name = self.judging.extractor.name
        present = claim_index.indexed_versions(sorted(extracted), name)
        todo = [(self.articles[i], claims) for i, claims in sorted(extracted.items()) if claims and (i, self.articles[i].sha256) not in present]
        for lo in range(0, len(todo), 64):
            claim_index.write(todo[lo : lo + 64], name)
        return claim_index

    # -- 2. pairs -----------------------------------------------------------------------

    def candidates(self, extracted: dict[str, list[Claim]], claim_index: ClaimIndex) -> list[_Candidate]:
        owned = [(self.articles[a], c) for a, claims in extracted.items() for c in claims]
        near = claim_index.neighbours(
            sorted(owned, key=lambda item: item[1].id),
            self.articles,
            self.judging.extractor.name,
            self.options.neighbours,
            self.options.min_similarity,
        )
        stored = self.results.claim_verdicts(self.judging.judge.name, {c.id for _, c in owned}, target(self.options.top_k))
        return pair_up(self.articles, extracted, near, stored, self.options.min_similarity)

    # -- 3. verdicts --------------------------------------------------------------------

    def judge(self, candidates: list[_Candidate]) -> None:
        # Keyed without the evidence: what is stored needs no retrieval (a rerun of 4,339 pairs
        # took 55 s retrieving evidence it never used).
        keyed = [c.task([], self.options.top_k) for c in candidates]
        stored = self.results.verdicts(self.judging.judge.name, [t.key for t in keyed])
        evidence = self.evidence([c for c, t in zip(candidates, keyed) if t.key not in stored])
        tasks = [c.task(evidence.get((c.earlier[1].id, c.later[0].id), []), self.options.top_k) for c in candidates]
        outcomes = self.stage.verdicts(tasks, self.judging.judge)
        for candidate, outcome in zip(candidates, outcomes):
            candidate.pair.verdict = outcome.verdict
            candidate.pair.reused = outcome.reused
            if outcome.verdict is None:
                candidate.pair.missing = outcome.problem

    def evidence(self, candidates: list[_Candidate]) -> dict[tuple[str, str], list[Evidence]]:
        """For each earlier claim and later report, that report's passages closest to the
        claim: what `compare` retrieves for it (checker.pipelines.compare.evidence_for), one
        query per later report."""
        import numpy as np

        claims = {c.earlier[1].id: c.earlier[1] for c in candidates}
        order = sorted(claims)
        vectors = dict(zip(order, embeddings.embed([claims[i].text for i in order]))) if order else {}
        by_report: dict[str, list[Claim]] = {}
        for c in candidates:
            by_report.setdefault(c.later[0].id, []).append(c.earlier[1])
        found: dict[tuple[str, str], list[Evidence]] = {}
        for other_id, asked in sorted(by_report.items()):
            unique = list({c.id: c for c in asked}.values())
            other = self.articles[other_id]
            for claim, evidence in zip(
                unique, evidence_for(unique, other, self.store, self.options.top_k, np.array([vectors[c.id] for c in unique]))
            ):
                found[(claim.id, other_id)] = evidence
        return found


def require_outlets(articles: Sequence[Article]) -> None:
    """A report compares outlets: articles of one outlet are refused before anything is paid for."""
    outlets = {a.outlet for a in articles}
    if len(outlets) < 2:
        raise InputError(
            f"all {len(articles)} articles are from one outlet ({next(iter(outlets), 'none')})",
            "A report compares outlets: add articles from another outlet, or set `outlet:` in their front matter",
        )


def build_report(
    articles: Sequence[Article],
    store: Store,
    judging: Judging,
    results: ResultsStore,
    options: ReportOptions | None = None,
    progress: Progress | None = None,
) -> Report:
    options = options or ReportOptions()
    require_outlets(articles)
    run = _Run(articles, store, judging, results, options, progress)
    extracted = run.extract()
    claim_index = run.index(extracted)
    candidates = run.candidates(extracted, claim_index)
    run.judge(candidates)

    claims = {
        c.id: ReportClaim(
            id=c.id,
            article_id=a,
            outlet=run.articles[a].outlet,
            published=run.articles[a].published,
            text=c.text,
            speaker=c.speaker,
            kind=c.kind,
            start=c.start,
            end=c.end,
        )
        for a, found in extracted.items()
        for c in found
    }
    pairs = [c.pair for c in candidates]
    events = analysis.group_events(claims, pairs)
    outlets = {a.outlet for a in run.articles.values()}
    per_outlet = Counter(c.outlet for c in claims.values())
    cross = (len(claims) ** 2 - sum(n * n for n in per_outlet.values())) // 2
    judged = sum(p.verdict is not None for p in pairs)
    decided = sum(p.verdict is not None and p.verdict.label in ("agree", "contradict", "superseded") for p in pairs)
    coverage = Coverage(
        articles=len(run.articles),
        claims=len(claims),
        articles_without_claims=sorted(a for a, found in extracted.items() if not found),
        cross_outlet_pairs=cross,
        candidate_pairs=len(pairs),
        judged=judged,
        decided=decided,
        reused=sum(p.reused for p in pairs),
        skipped=max(cross - len(pairs), 0),
        missing=len(pairs) - judged,
        stopped=run.stage.stopped,
        failed_articles=run.stage.failed,
    )
    return Report(
        generated=dt.datetime.now(dt.UTC).replace(microsecond=0),
        judge=judging.judge.name,
        model=judging.model,
        endpoint=judging.endpoint,
        prompts=judging.prompts,
        neighbours=options.neighbours,
        min_similarity=options.min_similarity,
        articles=[
            ReportArticle(**article_ref(a).model_dump(), text=a.text, claims=len(extracted.get(a.id, [])))
            for a in sorted(run.articles.values(), key=_by_date)
        ],
        claims=sorted(claims.values(), key=lambda c: (c.published is None, c.published, c.outlet, c.id)),
        pairs=pairs,
        events=events,
        conflicts=analysis.rank_conflicts(pairs, events, len(outlets)),
        matrix=analysis.outlet_matrix(claims, pairs),
        coverage=coverage,
        usage=judging.usage(),
    )


def _by_date(article: Article) -> tuple:
    return (article.published is None, article.published, article.outlet, article.id)
