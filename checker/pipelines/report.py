"""`checker report`: which outlets agree, on what, and when, over a whole corpus.

articles -> claims (once per article version) -> claims collection in Chroma -> each claim's
k nearest claims from other outlets -> one verdict per pair -> events, conflicts, matrix.

Pairing by meaning instead of comparing every article with every other keeps the judged
pairs at most k per claim: linear in the corpus. Every verdict is stored as it finishes,
keyed by both claims and both article versions, so a rerun judges only new pairs (those
that involve a new or changed article), a killed run resumes where it stopped, and a run
stopped by --max-calls / --budget still renders, saying what is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from checker.errors import ExtractionFailed
from checker.llm.asking import BudgetReached
from checker.pipelines import events as analysis
from checker.pipelines.compare import article_ref, claims_of
from checker.pipelines.judging import Judging
from checker.pipelines.pool import as_finished
from checker.pipelines.report_models import ClaimPair, Coverage, Report, ReportArticle, ReportClaim
from checker.schemas import Article, Claim, Evidence, Verdict
from checker.storage.claim_index import ClaimIndex
from checker.storage.results import Results
from checker.storage.store import Store

# (stage, done, total): stages are "claims" and "pairs".
Progress = Callable[[str, int, int], None]


@dataclass
class ReportOptions:
    neighbours: int = 3
    min_similarity: float = 0.5
    concurrency: int = 4


@dataclass
class _Candidate:
    pair: ClaimPair
    earlier: tuple[Article, Claim]
    later: tuple[Article, Claim]

    @property
    def key(self) -> tuple[str, str, str, str]:
        # Article versions, not only text hashes: a corrected date can turn a contradiction
        # into a supersession, so it must be judged again.
        return (self.earlier[1].id, self.earlier[0].version, self.later[1].id, self.later[0].version)


def _order(a: tuple[Article, Claim], b: tuple[Article, Claim]) -> tuple[tuple[Article, Claim], tuple[Article, Claim]]:
    """Earlier report first: the judge then asks whether the later one supersedes it."""

    def key(item: tuple[Article, Claim]) -> tuple:
        return (item[0].published or dt.date.max, item[0].id, item[1].id)

    return (a, b) if key(a) <= key(b) else (b, a)


def _pair_id(earlier: Claim, later: Claim) -> str:
    return "p-" + hashlib.sha1(f"{earlier.id}|{later.id}".encode()).hexdigest()[:12]


class _Run:
    def __init__(
        self, articles: Sequence[Article], store: Store, judging: Judging, results: Results, options: ReportOptions, progress: Progress | None
    ) -> None:
        self.articles = {a.id: a for a in articles}
        self.store = store
        self.judging = judging
        self.results = results
        self.options = options
        self.progress = progress or (lambda stage, done, total: None)
        self.stopped: str | None = None
        self.failed: dict[str, str] = {}  # article id -> why its claims could not be extracted
        self.stored: dict[tuple[str, str, str, str], dict] = {}

    # -- 1. claims ----------------------------------------------------------------------

    def extract(self) -> dict[str, list[Claim]]:
        """Each article's claims, from the results cache or the extractor, a few at a time."""
        articles = sorted(self.articles.values(), key=lambda a: a.id)
        extracted: dict[str, list[Claim]] = {}
        self.progress("claims", 0, len(articles))

        def one(article: Article) -> list[Claim]:
            claims, _ = claims_of(article, self.judging.extractor, self.results)
            unique = {c.id: c for c in claims}  # the same sentence twice is one claim
            return list(unique.values())

        for article, claims, problem in self._pool(one, articles, "claims"):
            extracted[article.id] = claims if problem is None else []
        return extracted

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
        """Each claim with its nearest claims from other outlets, plus every pair an earlier
        run judged whose two claims are still here unchanged: adding an article can push an
        old neighbour out of a claim's k nearest, but never drops a verdict from the report."""
        owned = {c.id: (self.articles[a], c) for a, claims in extracted.items() for c in claims}
        everything = [owned[c] for c in sorted(owned)]
        near = claim_index.neighbours(everything, self.articles, self.judging.extractor.name, self.options.neighbours, self.options.min_similarity)
        found: dict[str, _Candidate] = {}

        def add(first: tuple[Article, Claim], second: tuple[Article, Claim], similarity: float) -> None:
            earlier, later = _order(first, second)
            pair_id = _pair_id(earlier[1], later[1])
            if pair_id not in found:
                found[pair_id] = _Candidate(ClaimPair(id=pair_id, earlier=earlier[1].id, later=later[1].id, similarity=similarity), earlier, later)

        for claim_id, neighbours in near.items():
            for neighbour in neighbours:
                if neighbour.claim_id in owned:
                    add(owned[claim_id], owned[neighbour.claim_id], neighbour.similarity)
        self.stored = self.results.pair_verdicts(self.judging.judge.name, set(owned))
        for (earlier_id, earlier_version, later_id, later_version), row in self.stored.items():
            earlier, later = owned[earlier_id], owned[later_id]
            if earlier[0].version == earlier_version and later[0].version == later_version and row["similarity"] >= self.options.min_similarity:
                add(earlier, later, row["similarity"])
        return sorted(found.values(), key=lambda c: (-c.pair.similarity, c.pair.id))

    # -- 3. verdicts --------------------------------------------------------------------

    def judge(self, candidates: list[_Candidate]) -> None:
        judge_name = self.judging.judge.name
        todo = []
        for candidate in candidates:
            hit = self.stored.get(candidate.key)
            if hit is not None:
                candidate.pair.verdict = Verdict.model_validate(hit["verdict"])
                candidate.pair.reused = True
            else:
                todo.append(candidate)

        def one(candidate: _Candidate) -> Verdict:
            (source, claim), (other, other_claim) = candidate.earlier, candidate.later
            evidence = [
                Evidence(
                    chunk_id=other_claim.id,
                    text=other_claim.source_text,
                    start=other_claim.start,
                    end=other_claim.end,
                    score=candidate.pair.similarity,
                )
            ]
            verdict = self.judging.judge.judge(claim, source, other, evidence)
            if verdict.label != "unscored":  # an unscored pair is tried again by the next run
                self.results.store_pair_verdict(
                    candidate.key, judge_name, {"verdict": verdict.model_dump(mode="json"), "similarity": candidate.pair.similarity}
                )
            return verdict

        for candidate, verdict, problem in self._pool(one, todo, "pairs"):
            if problem is None:
                candidate.pair.verdict = verdict
            else:
                candidate.pair.missing = problem

    def _pool(self, work: Callable, items: list, stage: str):  # type: ignore[no-untyped-def]
        """Run ``work`` on the items with bounded concurrency, yielding (item, result, problem).

        A refused budget stops new work; what is in flight finishes. Ctrl-C cancels what has
        not started; everything finished is already stored.
        """
        self.progress(stage, 0, len(items))
        verb = "not extracted" if stage == "claims" else "not judged"
        done_count = 0
        for item, future in as_finished(work, items, self.options.concurrency, stop=lambda: bool(self.stopped), name=f"report-{stage}"):
            if future is None:  # never started: the budget ran out
                yield item, None, f"{verb}: {self.stopped}"
                continue
            done_count += 1
            try:
                yield item, future.result(), None
            except BudgetReached as exc:
                self.stopped = str(exc)
                yield item, None, f"{verb}: {exc}"
            except ExtractionFailed as exc:
                # Nothing is stored for the article, so the next run tries it again.
                self.failed[item.id] = exc.one_line()
                yield item, None, exc.message
            self.progress(stage, done_count, len(items))


def build_report(
    articles: Sequence[Article],
    store: Store,
    judging: Judging,
    results: Results,
    options: ReportOptions | None = None,
    progress: Progress | None = None,
) -> Report:
    options = options or ReportOptions()
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
    coverage = Coverage(
        articles=len(run.articles),
        claims=len(claims),
        articles_without_claims=sorted(a for a, found in extracted.items() if not found),
        cross_outlet_pairs=cross,
        candidate_pairs=len(pairs),
        judged=judged,
        reused=sum(p.reused for p in pairs),
        skipped=max(cross - len(pairs), 0),
        missing=len(pairs) - judged,
        stopped=run.stopped,
        failed_articles=run.failed,
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
