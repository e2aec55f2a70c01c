"""How many claims a dry run expects and what extracting them costs (checker/pipelines/estimate.py
uses it): stored claims where this extractor read the article version, the offline extractor's
computed, and for an article an LLM has not read, its checkable sentences scaled by the rate
the extractor showed; the extraction requests rendered exactly as the real run sends them, and
their answers priced as this model's answers in this store were.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from checker.claims.base import Extractor
from checker.claims.llm_claims import ExtractedClaims, LLMExtractor
from checker.claims.offline_claims import SentenceExtractor
from checker.judges.llm_judge import JudgeAnswer, LLMJudge
from checker.llm.wire import json_schema_of
from checker.pipelines.judging import Judging
from checker.schemas import Article, Claim, Evidence
from checker.storage.results_base import ResultsStore

CHARS_PER_TOKEN = 4.0
TOKENS_PER_CLAIM_ANSWER = 80  # one extracted claim: its words, sentence numbers, speaker, date, kind
TOKENS_PER_VERDICT_ANSWER = 60  # a sentence of reasoning, the label, sentence numbers, confidence
PAID_SAMPLE = 200  # this run's articles already read whose extraction bills are looked up
TOKENS_PER_EXTRACTION_ANSWER = 10  # the answer's braces and keys around its claims


def tokens(chars: float) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


def request_tokens(messages: list[tuple[str, str]], schema: type[BaseModel]) -> int:
    """The prompt and the answer's schema (sent as a tool or a response format) as tokens."""
    return tokens(sum(len(text) for _, text in messages) + len(json.dumps(json_schema_of(schema))))


@dataclass
class Tally:
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


class ClaimsEstimate:
    """Each article's claims: stored, computed (offline), or stood in for by its sentences."""

    def __init__(self, judging: Judging, results: ResultsStore | None, max_claims: int) -> None:
        self.extractor: Extractor = judging.extractor
        self.results = results
        self.max_claims = max_claims
        # The cap the extractor applies, which can differ from --max-claims for a stored run's.
        self.extractor_cap = getattr(self.extractor, "max_claims", max_claims)
        self.model = judging.asker.model.model if judging.asker is not None else None
        self.sentences = SentenceExtractor(max_claims=10**6)
        self._checkable: dict[str, list[Claim]] = {}

    def checkable(self, article: Article) -> list[Claim]:
        """The article's checkable sentences, split once however often the estimate asks."""
        if article.id not in self._checkable:
            self._checkable[article.id] = self.sentences.extract(article)[0]
        return self._checkable[article.id]

    def of(self, articles: Sequence[Article], tally: Tally) -> tuple[dict[str, list[Claim]], set[str]]:
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
            below_cap = [a for a in read if len(found[a.id]) < self.extractor_cap]
            all_capped = not below_cap
            below_cap = below_cap or read
            sentences_read = sum(len(self.checkable(a)) for a in below_cap)
            rate = sum(len(found[a.id]) for a in below_cap) / sentences_read if sentences_read else None
            paid = self._paid_per_sentence(read)
            # Without bills of this run's articles, this model's answers per claim kept in the store.
            per_claim = self._tokens_per_claim() if paid is None else None
            for article in unknown:
                checkable = self.checkable(article)
                if rate is not None:
                    count = min(self.max_claims, len(checkable), round(rate * len(checkable)))
                else:  # none of these articles read: at most the most it ever gave one article
                    count = min(self.max_claims, len(checkable), seen.most if seen else len(checkable))
                found[article.id] = checkable[:count]
                self._count_extraction(article, count, len(checkable), paid, per_claim, tally)
            if rate is not None:
                tally.notes.append(
                    f"{len(unknown)} articles not yet extracted: claims estimated at {rate:.2f} per checkable sentence, "
                    f"the rate on the {len(below_cap)} article{'s' if len(below_cap) != 1 else ''} of this run this extractor has read "
                    + (f"(each cut at {self.extractor_cap} claims: more may come)" if all_capped else f"with fewer than {self.extractor_cap} claims")
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
                sentences += len(self.checkable(article))
        return paid / sentences if sentences else None

    def _tokens_per_claim(self) -> float | None:
        if self.results is None or self.model is None:
            return None
        return self.results.extraction_tokens_per_claim(self.model, ExtractedClaims.__name__)

    def _count_extraction(
        self, article: Article, count: int, checkable: int, paid_per_sentence: float | None, per_claim: float | None, tally: Tally
    ) -> None:
        if not isinstance(self.extractor, LLMExtractor):  # an extractor that sends nothing countable
            return
        requests = self.extractor.requests(article)
        tally.extraction_calls += len(requests)
        tally.input_tokens += sum(request_tokens(messages, ExtractedClaims) for _, messages in requests)
        if paid_per_sentence is not None:  # as this run's articles already read cost, per checkable sentence
            tally.output_tokens += round(paid_per_sentence * max(checkable, 1))
        elif per_claim is not None:  # this model's answers, per claim kept, as long as they were here
            tally.output_tokens += round(per_claim * max(count, 1))
        else:
            tally.output_tokens += TOKENS_PER_EXTRACTION_ANSWER * len(requests) + TOKENS_PER_CLAIM_ANSWER * count


def answer_tokens(judging: Judging, results: ResultsStore | None, schema: str) -> float | None:
    """The mean length of this model's answers of this schema in this store, if it has any."""
    if results is None or judging.asker is None:
        return None
    return results.mean_output_tokens(judging.asker.model.model, schema)
