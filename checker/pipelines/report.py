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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from checker.articles.copies import copy_groups
from checker.errors import InputError
from checker.pipelines import events as analysis
from checker.pipelines import reviews
from checker.pipelines.compare import article_ref, evidence_for
from checker.pipelines.judging import Judging
from checker.pipelines.report_filters import apart_from_copies
from checker.pipelines.report_models import Copies, Coverage, Report, ReportArticle, ReportClaim
from checker.pipelines.report_pairs import Candidate, pair_up, target
from checker.pipelines.stage import Progress, Stage
from checker.schemas import Article, Claim, Evidence
from checker.storage import embeddings
from checker.storage.claim_index import ClaimIndex
from checker.storage.results_base import ResultsStore
from checker.storage.store import Store


@dataclass
class ReportOptions:
    neighbours: int = 3
    min_similarity: float = 0.5
    concurrency: int = 4
    top_k: int = 4  # passages of the later report per claim, as `compare -k` (part of the stored key)


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

    def candidates(self, extracted: dict[str, list[Claim]], claim_index: ClaimIndex) -> list[Candidate]:
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

    def judge(self, candidates: list[Candidate]) -> None:
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

    def evidence(self, candidates: list[Candidate]) -> dict[tuple[str, str], list[Evidence]]:
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
    groups = copy_groups(list(run.articles.values()))
    group_of = {member: group for group in groups for member in group.members}
    extracted = run.extract()
    claim_index = run.index(extracted)
    candidates, between_copies = apart_from_copies(run.candidates(extracted, claim_index), groups)
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
    # Reviewers' decisions: a pair marked wrong or dismissed leaves the conflicts and counts.
    reviewed_out = set(
        reviews.attach(results, pairs, {a.id: a.version for a in run.articles.values()}, {c.id: c.article_id for c in claims.values()})
    )
    counted = [p for p in pairs if p.id not in reviewed_out]
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
        skipped=max(cross - len(pairs) - between_copies, 0),
        missing=len(pairs) - judged,
        stopped=run.stage.stopped,
        copy_pairs=between_copies,
        failed_articles=run.stage.failed,
    )
    versions = results.revisions(list(run.articles))
    return Report(
        generated=dt.datetime.now(dt.UTC).replace(microsecond=0),
        judge=judging.judge.name,
        model=judging.model,
        endpoint=judging.endpoint,
        prompts=judging.prompts,
        neighbours=options.neighbours,
        min_similarity=options.min_similarity,
        articles=[
            ReportArticle(
                **article_ref(a).model_dump(),
                text=a.text,
                claims=len(extracted.get(a.id, [])),
                versions=max(1, versions.get(a.id, 1)),
                copy_of=group_of[a.id].first if a.id in group_of and group_of[a.id].first != a.id else None,
            )
            for a in sorted(run.articles.values(), key=_by_date)
        ],
        claims=sorted(claims.values(), key=lambda c: (c.published is None, c.published, c.outlet, c.id)),
        pairs=pairs,
        events=events,
        conflicts=analysis.rank_conflicts(counted, events, len(outlets)),
        matrix=analysis.outlet_matrix(claims, counted),
        reviewed_out=sorted(reviewed_out),
        copies=[Copies(first=g.first, members=list(g.members), outlets=list(g.outlets), shared=g.shared) for g in groups],
        coverage=coverage,
        usage=judging.usage(),
    )


def _by_date(article: Article) -> tuple:
    return (article.published is None, article.published, article.outlet, article.id)
