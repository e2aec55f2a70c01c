"""What a run would cost before paying for it: `compare --dry-run` and `report --dry-run`.

Nothing is written (no article is indexed, no claim or verdict stored) and no LLM is called.
The estimate follows the real run step by step:

- **Claims.** Stored claims are used where this extractor already extracted the article
  version; the offline extractor's claims are computed (they cost nothing). For an article an
  LLM has not read yet, the count follows the article's checkable sentences, at most
  --max-claims: times the extractor's claims per checkable sentence on the articles of this
  run it has read (those it cut at --max-claims left out: they hide the rate); if it has read
  none of them but others in this store, one per sentence up to the most it gave one article; with no history, one per sentence, about what a model that
  claims every statement extracts (Qwen2.5-1.5B gave 86 claims where this assumed 87 on the
  sample corpus). A terser model costs less. The article's own checkable sentences
  stand in for the claims it will get, so the pairing below is done on real text.
- **Calls.** One extraction call per window of each article not yet extracted (exactly the
  windows the extractor sends); one judge call per claim (compare) or claim pair (report) that
  has no stored verdict. Re-asks of invalid answers are not counted: a model that follows the
  schema needs none.
- **Pairs** (report). Each claim's k nearest claims from other outlets above the similarity
  floor, deduplicated, plus stored pairs still valid: the pairing the real run does, on the same
  embeddings, computed in memory instead of in Chroma.
- **Tokens.** The input of each call is the prompt the real run would send, rendered, plus the
  answer schema, at about four characters a token (English in GPT tokenizers). Output is as
  long as this model's answers of the same kind were in this store (for extraction: its
  output tokens per claim kept, which prices the claims a long article's windows write beyond
  --max-claims), else about 80 tokens per extracted claim and 60 per verdict (Qwen2.5-1.5B's answers on the sample corpus: 82 and
  59). The cost uses the price list in checker/llm/prices.py, with its date.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from checker.articles import chunking
from checker.claims.llm_claims import ExtractedClaims, Extractor, LLMExtractor
from checker.claims.offline_claims import SentenceExtractor
from checker.config import Settings
from checker.judges.llm_judge import JudgeAnswer, LLMJudge
from checker.llm.prices import PRICES_AS_OF, estimate_cost
from checker.llm.wire import json_schema_of
from checker.pipelines.judging import Judging
from checker.schemas import Article, Claim, Evidence
from checker.storage.claim_index import Neighbour
from checker.storage.results import Results, VerdictKey

CHARS_PER_TOKEN = 4.0
TOKENS_PER_CLAIM_ANSWER = 80  # one extracted claim: its words, sentence numbers, speaker, date, kind
TOKENS_PER_VERDICT_ANSWER = 60  # a sentence of reasoning, the label, sentence numbers, confidence
PAID_SAMPLE = 200  # this run's articles already read whose extraction bills are looked up
TOKENS_PER_EXTRACTION_ANSWER = 10  # the answer's braces and keys around its claims


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
    notes: list[str]


def tokens(chars: float) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


def request_tokens(messages: list[tuple[str, str]], schema: type[BaseModel]) -> int:
    """The prompt and the answer's schema (sent as a tool or a response format) as tokens."""
    return tokens(sum(len(text) for _, text in messages) + len(json.dumps(json_schema_of(schema))))


@dataclass
class _Tally:
    input_tokens: int = 0
    output_tokens: int = 0
    extraction_calls: int = 0
    judge_calls: int = 0
    notes: list[str] = field(default_factory=list)

    def judgement(self, llm: LLMJudge, answer_tokens: int, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> None:
        """One judge call: the prompt it would send, and an answer as long as this model's are."""
        self.judge_calls += 1
        self.input_tokens += request_tokens(llm.request(claim, source, other, evidence)[1], JudgeAnswer)
        self.output_tokens += answer_tokens


class _Claims:
    """Each article's claims: stored, computed (offline), or stood in for by its sentences."""

    def __init__(self, judging: Judging, results: Results | None, max_claims: int) -> None:
        self.extractor: Extractor = judging.extractor
        self.results = results
        self.max_claims = max_claims
        # The cap the extractor applies, which can differ from --max-claims for a stored run's.
        self.extractor_cap = getattr(self.extractor, "max_claims", max_claims)
        model = judging.asker.model.model if judging.asker is not None else None
        self.tokens_per_claim = results.extraction_tokens_per_claim(model, ExtractedClaims.__name__) if results is not None and model else None
        self.sentences = SentenceExtractor(max_claims=10**6)

    def of(self, articles: Sequence[Article], tally: _Tally) -> tuple[dict[str, list[Claim]], set[str]]:
        found: dict[str, list[Claim]] = {}
        unknown: list[Article] = []
        for article in articles:
            claims = self._known(article)
            if claims is None:
                unknown.append(article)
            else:
                found[article.id] = claims
        if unknown:
            seen = self.results.claims_per_article(self.extractor.name) if self.results is not None else None
            # A model's claims grow with what an article says, up to --max-claims: the rate per
            # checkable sentence is learnt from this run's articles it has already read. Articles
            # cut at the cap say only that the model would have given more, so they are left out
            # of the rate (unless every read article was cut), and the cap is applied after.
            read = [a for a in articles if a.id in found]
            below_cap = [a for a in read if len(found[a.id]) < self.extractor_cap] or read
            sentences_read = sum(len(self.sentences.extract(a)[0]) for a in below_cap)
            rate = sum(len(found[a.id]) for a in below_cap) / sentences_read if sentences_read else None
            paid = self._paid_per_sentence(read)
            for article in unknown:
                checkable = self.sentences.extract(article)[0]
                if rate is not None:
                    count = min(self.max_claims, len(checkable), round(rate * len(checkable)))
                else:  # none of these articles read: at most the most it ever gave one article
                    count = min(self.max_claims, len(checkable), seen.most if seen else len(checkable))
                found[article.id] = checkable[:count]
                self._count_extraction(article, count, len(checkable), paid, tally)
            if rate is not None:
                tally.notes.append(
                    f"{len(unknown)} articles not yet extracted: claims estimated at {rate:.2f} per checkable sentence, "
                    f"the rate on the {len(below_cap)} article{'s' if len(below_cap) != 1 else ''} of this run this extractor has read "
                    f"with fewer than {self.extractor_cap} claims"
                )
            elif seen:
                tally.notes.append(
                    f"{len(unknown)} articles not yet extracted: one claim per checkable sentence assumed, at most {seen.most}, "
                    f"the most this extractor gave one of the {seen.articles} articles it has read in this store"
                )
            else:
                tally.notes.append(
                    f"{len(unknown)} articles not yet extracted, by an extractor that has read nothing in this store: "
                    "one claim per checkable sentence assumed (at most --max-claims); a model that extracts fewer costs less"
                )
        return found, {a.id for a in unknown}

    def _known(self, article: Article) -> list[Claim] | None:
        if isinstance(self.extractor, SentenceExtractor):
            return list({c.id: c for c in self.extractor.extract(article)[0]}.values())  # offline: computing them is free
        if self.results is not None:
            stored = self.results.claims(article.id, article.sha256, self.extractor.name)
            if stored is not None:
                return list({c["id"]: Claim.model_validate(c) for c in stored[0]}.values())  # one claim per id, as the run keeps
        return None

    def _paid_per_sentence(self, read: list[Article]) -> float | None:
        """Output tokens per checkable sentence that this run's articles already extracted cost:
        their extraction requests looked up in the answer cache. What a model writes follows
        what an article says, including the claims --max-claims later drops."""
        if not isinstance(self.extractor, LLMExtractor) or self.results is None or not read:
            return None
        asker = self.extractor.asker
        paid = sentences = 0
        for article in read[:: max(1, len(read) // PAID_SAMPLE)]:  # rendering every prompt again would cost more than it tells
            answers = [self.results.cached_call(asker.key(messages, ExtractedClaims)) for _, messages in self.extractor.requests(article)]
            if all(a is not None and a["output_tokens"] > 0 for a in answers):  # read with this very prompt, and billed
                paid += sum(a["output_tokens"] for a in answers if a is not None)
                sentences += len(self.sentences.extract(article)[0])
        return paid / sentences if sentences else None

    def _count_extraction(self, article: Article, count: int, checkable: int, paid_per_sentence: float | None, tally: _Tally) -> None:
        if not isinstance(self.extractor, LLMExtractor):  # an extractor that sends nothing countable
            return
        requests = self.extractor.requests(article)
        tally.extraction_calls += len(requests)
        tally.input_tokens += sum(request_tokens(messages, ExtractedClaims) for _, messages in requests)
        if paid_per_sentence is not None:  # as this run's articles already read cost, per checkable sentence
            tally.output_tokens += round(paid_per_sentence * max(checkable, 1))
        elif self.tokens_per_claim is not None:  # this model's answers, per claim kept, as long as they were here
            tally.output_tokens += round(self.tokens_per_claim * max(count, 1))
        else:
            tally.output_tokens += TOKENS_PER_EXTRACTION_ANSWER * len(requests) + TOKENS_PER_CLAIM_ANSWER * count


def _answer_tokens(judging: Judging, results: Results | None, schema: str) -> float | None:
    """The mean length of this model's answers of this schema in this store, if it has any."""
    if results is None or judging.asker is None:
        return None
    return results.mean_output_tokens(judging.asker.model.model, schema)


def _verdict_tokens(judging: Judging, results: Results | None) -> int:
    return round(_answer_tokens(judging, results, JudgeAnswer.__name__) or TOKENS_PER_VERDICT_ANSWER)


def _judge_request(judging: Judging) -> LLMJudge | None:
    judge = judging.judge
    return judge if isinstance(judge, LLMJudge) else getattr(judge, "llm", None)


def _finish(
    command: str, judging: Judging, articles: int, claims: dict[str, list[Claim]], unknown: set[str], pairs: int, stored: int, tally: _Tally
) -> Estimate:
    model = judging.asker.model.model if judging.asker is not None else None
    cost = estimate_cost(model, tally.input_tokens, tally.output_tokens) if model else 0.0
    if judging.kind == "cascade":
        tally.notes.append("cascade: every pair counted as sent to the LLM (an upper bound: the offline judge settles some)")
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
        notes=tally.notes,
    )


def estimate_compare(a: Article, b: Article, judging: Judging, results: Results | None, settings: Settings, both_ways: bool = False) -> Estimate:
    tally = _Tally()
    top_k = settings.top_k
    directions = [(a, b)] + ([(b, a)] if both_ways else [])
    claims, unknown = _Claims(judging, results, settings.max_claims).of([source for source, _ in directions], tally)
    llm = _judge_request(judging)
    verdict_tokens = _verdict_tokens(judging, results)
    pairs = stored_count = 0
    for source, other in directions:
        found = claims[source.id]
        # The k passages retrieval will pick are not known without the index: B's first k
        # passages stand in for them (passages are all about chunk_size long).
        passages = [
            Evidence(chunk_id=c.id, text=c.text, start=c.start, end=c.end, score=1.0)
            for c in chunking.split(other, settings.chunk_size, settings.chunk_overlap)[:top_k]
        ]
        keys = [VerdictKey(c.id, source.version, f"passages:top{top_k}", other.version) for c in found]
        stored = results.verdicts(judging.judge.name, keys) if results is not None and source.id not in unknown else {}
        pairs += len(found)
        stored_count += len(stored)
        for claim, key in zip(found, keys):
            if key not in stored and llm is not None:
                tally.judgement(llm, verdict_tokens, claim, source, other, passages)
    return _finish("compare", judging, 2, claims, unknown, pairs, stored_count, tally)


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
    articles: Sequence[Article], judging: Judging, results: Results | None, max_claims: int, neighbours: int, min_similarity: float
) -> Estimate:
    from checker.pipelines.report import pair_up

    tally = _Tally()
    by_id = {a.id: a for a in articles}
    claims, unknown = _Claims(judging, results, max_claims).of(articles, tally)
    stored_pairs = results.claim_pair_verdicts(judging.judge.name, {c.id for found in claims.values() for c in found}) if results is not None else {}
    pairs = pair_up(by_id, claims, nearest(by_id, claims, neighbours, min_similarity), stored_pairs, min_similarity)
    llm = _judge_request(judging)
    verdict_tokens = _verdict_tokens(judging, results)
    reused = 0
    for candidate in pairs:
        task = candidate.task()
        if task.key in stored_pairs:
            reused += 1
            continue
        if llm is not None:
            tally.judgement(llm, verdict_tokens, task.claim, task.source, task.other, task.evidence)
    return _finish("report", judging, len(articles), claims, unknown, len(pairs), reused, tally)
