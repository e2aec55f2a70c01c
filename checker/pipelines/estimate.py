"""What a run would cost before paying for it: `compare --dry-run` and `report --dry-run`.

Nothing is written (no article is indexed, no claim or verdict stored) and no LLM is called.
The estimate follows the real run step by step:

- **Claims.** Stored claims are used where this extractor already extracted the article
  version; the offline extractor's claims are computed (they cost nothing). For an article an
  LLM has not read yet, the count follows the article's checkable sentences, at most
  --max-claims: times the extractor's claims per checkable sentence on the articles of this
  run it has read (those it cut at --max-claims left out: they hide the rate); if it has read
  none of them but others in this store, one per sentence up to the most it gave one article;
  with no history, one per sentence, about what a model that claims every statement extracts
  (Qwen2.5-1.5B gave 86 claims where this assumed 87 on the sample corpus). A terser model
  costs less. The article's own checkable sentences stand in for the claims it will get, so
  the pairing below is done on real text.
- **Calls.** One extraction call per window of each article not yet extracted (exactly the
  windows the extractor sends); one judge call per claim (compare) or claim pair (report) that
  has no stored verdict. Re-asks of invalid answers are not counted: a model that follows the
  schema needs none.
- **Pairs** (report). Each claim's k nearest claims from other outlets above the similarity
  floor, deduplicated, plus stored pairs still valid: the pairing the real run does, on the same
  embeddings, computed in memory instead of in Chroma.
- **Tokens.** The input of each call is the prompt the real run would send, rendered, plus the
  answer schema, at about four characters a token (English in GPT tokenizers). Output is as
  long as this model's answers of the same kind were in this store (for extraction: what this
  run's articles already read cost per checkable sentence, else its output tokens per claim
  kept, which prices the claims a long article's windows write beyond --max-claims), else
  about 80 tokens per extracted claim and 60 per verdict (Qwen2.5-1.5B's answers on the sample
  corpus: 82 and 59). The cost uses the price list in checker/llm/prices.py, with its date.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from checker.articles import chunking
from checker.claims.llm_claims import ExtractedClaims
from checker.config import Settings
from checker.judges.llm_judge import JudgeAnswer, LLMJudge
from checker.llm.prices import PRICES_AS_OF, estimate_cost
from checker.pipelines.estimate_claims import TOKENS_PER_VERDICT_ANSWER, ClaimsEstimate, Tally, answer_tokens
from checker.pipelines.judging import Judging
from checker.schemas import Article, Claim, Evidence
from checker.storage.claim_index import Neighbour
from checker.storage.results_base import ResultsStore, VerdictKey


class Estimate(BaseModel):
    command: str
    judge: str
    extractor: str
    model: str | None
    articles: int
    articles_to_extract: int
    claims_known: int
    claims_estimated: int
    pairs: int  # what the run would judge: claims (compare) or claim pairs (report)
    pairs_stored: int  # of those, judged before and reused for free
    extraction_calls: int
    judge_calls: int
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    prices_as_of: str | None
    # The LLM calls' time: each kind of call times this model's mean measured in this store.
    seconds: float | None = None
    notes: list[str]


def _verdict_tokens(judging: Judging, results: ResultsStore | None) -> int:
    return round(answer_tokens(judging, results, JudgeAnswer.__name__) or TOKENS_PER_VERDICT_ANSWER)


def _judge_request(judging: Judging) -> LLMJudge | None:
    asked = judging.judge.llm
    return asked if isinstance(asked, LLMJudge) else None


def _call_time(judging: Judging, results: ResultsStore | None, tally: Tally) -> float | None:
    """The calls' time at this model's measured seconds a call (judging and extraction apart:
    an extraction answer is several times longer); None when a kind of call was never timed."""
    if judging.asker is None or not tally.extraction_calls + tally.judge_calls:
        return 0.0 if judging.asker is not None else None
    model = judging.asker.model.model
    total = 0.0
    for calls, schema in ((tally.judge_calls, JudgeAnswer.__name__), (tally.extraction_calls, ExtractedClaims.__name__)):
        if not calls:
            continue
        mean = results.mean_call_seconds(model, schema) if results is not None else None
        if mean is None:
            tally.notes.append(f"time unknown: no {schema} call of {model!r} has been timed in this store yet (one real run times it)")
            return None
        total += calls * mean
    return round(total, 1)


def _finish(
    command: str,
    judging: Judging,
    results: ResultsStore | None,
    articles: int,
    claims: dict[str, list[Claim]],
    unknown: set[str],
    pairs: int,
    stored: int,
    tally: Tally,
) -> Estimate:
    model = judging.asker.model.model if judging.asker is not None else None
    cost = estimate_cost(model, tally.input_tokens, tally.output_tokens, judging.endpoint) if model else 0.0
    seconds = _call_time(judging, results, tally)
    if judging.judge.screening is not None:
        tally.notes.append(f"{judging.kind}: every pair counted as sent to the LLM (an upper bound: the offline judge settles some)")
    if judging.asker is None:
        tally.notes.append("offline judge and offline claims: no LLM call, nothing to pay")
    elif cost is None:
        tally.notes.append(f"the price of {model!r} is unknown: tokens only")
    return Estimate(
        command=command,
        judge=judging.judge.name,
        extractor=judging.extractor.name,
        model=model,
        articles=articles,
        articles_to_extract=len(unknown),
        claims_known=sum(len(c) for a, c in claims.items() if a not in unknown),
        claims_estimated=sum(len(c) for a, c in claims.items() if a in unknown),
        pairs=pairs,
        pairs_stored=stored,
        extraction_calls=tally.extraction_calls,
        judge_calls=tally.judge_calls,
        calls=tally.extraction_calls + tally.judge_calls,
        input_tokens=tally.input_tokens,
        output_tokens=tally.output_tokens,
        cost_usd=None if cost is None else round(cost, 4),
        prices_as_of=PRICES_AS_OF if model and cost is not None else None,
        seconds=seconds,
        notes=tally.notes,
    )


def standing_in(other: Article, settings: Settings) -> list[Evidence]:
    """The k passages retrieval will pick are not known without the index: the other article's
    first k passages stand in for them (passages are all about chunk_size long)."""
    return [
        Evidence(chunk_id=c.id, text=c.text, start=c.start, end=c.end, score=1.0)
        for c in chunking.split(other, settings.chunk_size, settings.chunk_overlap)[: settings.top_k]
    ]


def estimate_compare(a: Article, b: Article, judging: Judging, results: ResultsStore | None, settings: Settings, both_ways: bool = False) -> Estimate:
    tally = Tally()
    top_k = settings.top_k
    directions = [(a, b)] + ([(b, a)] if both_ways else [])
    claims, unknown = ClaimsEstimate(judging, results, settings.max_claims).of([source for source, _ in directions], tally)
    llm = _judge_request(judging)
    verdict_tokens = _verdict_tokens(judging, results)
    pairs = stored_count = 0
    for source, other in directions:
        found = claims[source.id]
        passages = standing_in(other, settings)
        keys = [VerdictKey(c.id, source.version, f"passages:top{top_k}", other.version) for c in found]
        stored = results.verdicts(judging.judge.name, keys) if results is not None and source.id not in unknown else {}
        pairs += len(found)
        stored_count += len(stored)
        for claim, key in zip(found, keys):
            if key not in stored and llm is not None:
                tally.judgement(llm, verdict_tokens, claim, source, other, passages)
    return _finish("compare", judging, results, 2, claims, unknown, pairs, stored_count, tally)


def nearest(articles: dict[str, Article], claims: dict[str, list[Claim]], k: int, min_similarity: float) -> dict[str, list[Neighbour]]:
    """Each claim's k nearest claims from other outlets, at least ``min_similarity``: what
    ClaimIndex.neighbours finds in Chroma, computed exactly in memory (nothing is written)."""
    import numpy as np

    from checker.storage import embeddings

    owned = [(articles[a], c) for a in sorted(claims) for c in claims[a]]
    if not owned:
        return {}
    vectors = embeddings.embed([c.text for _, c in owned])
    outlets = np.array([a.outlet for a, _ in owned])
    found: dict[str, list[Neighbour]] = {}
    for lo in range(0, len(owned), 512):  # a block of rows at a time: 20,000 claims fit in memory
        similarity = vectors[lo : lo + 512] @ vectors.T
        for row, (article, claim) in enumerate(owned[lo : lo + 512]):
            scores = np.where(outlets != article.outlet, similarity[row], -1.0)
            best = np.argsort(-scores, kind="stable")[:k]
            found[claim.id] = [Neighbour(owned[i][1].id, owned[i][0].id, round(float(scores[i]), 4)) for i in best if scores[i] >= min_similarity]
    return found


def estimate_report(
    articles: Sequence[Article],
    judging: Judging,
    results: ResultsStore | None,
    settings: Settings,
    neighbours: int,
    min_similarity: float,
) -> Estimate:
    from checker.articles.copies import copy_groups
    from checker.pipelines.report_filters import apart_from_copies
    from checker.pipelines.report_pairs import pair_up, target

    tally = Tally()
    by_id = {a.id: a for a in articles}
    claims, unknown = ClaimsEstimate(judging, results, settings.max_claims).of(articles, tally)
    where = target(settings.top_k)
    stored = results.claim_verdicts(judging.judge.name, {c.id for found in claims.values() for c in found}, where) if results is not None else {}
    pairs, _ = apart_from_copies(
        pair_up(by_id, claims, nearest(by_id, claims, neighbours, min_similarity), stored, min_similarity), copy_groups(list(articles))
    )
    llm = _judge_request(judging)
    verdict_tokens = _verdict_tokens(judging, results)
    reused = 0
    for candidate in pairs:
        task = candidate.task(standing_in(candidate.later[0], settings), settings.top_k)
        if task.key in stored:
            reused += 1
            continue
        if llm is not None:
            tally.judgement(llm, verdict_tokens, task.claim, task.source, task.other, task.evidence)
    return _finish("report", judging, results, len(articles), claims, unknown, len(pairs), reused, tally)
