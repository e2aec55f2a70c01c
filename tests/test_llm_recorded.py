"""Replays of real llama.cpp + Gemma 3 270M answers (cassettes in tests/cassettes/).

These check the machinery on a real server's output: request shape, tool-call parsing,
usage, spans and quotes checked, unparseable answers kept raw as `unscored`. They do not
check Gemma's judgement. Re-record with `make cassettes-record` after changing a prompt.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.articles.loading import load_file
from checker.claims.llm_claims import LLMExtractor
from checker.judges.llm_judge import LLMJudge
from checker.llm.asking import Asker
from checker.llm.chat import OpenAIChat
from checker.pipelines.compare import CompareOptions, compare
from checker.pipelines.ingest import ingest
from checker.schemas import LABELS, Claim, Evidence
from checker.storage.sqlite_results import SQLiteResults
from tests.conftest import CORPUS
from tests.llm_server import RECORD_PORT

BASE_URL = f"http://127.0.0.1:{RECORD_PORT}/v1"
WITHDRAWN = CORPUS / "2022-04-06-esocialnews-fully-withdrawn.md"
REPOSITIONING = CORPUS / "2022-03-29-yahoo-pentagon-casts-doubt.md"


def gemma() -> OpenAIChat:
    return OpenAIChat("gemma-3-270m", None, BASE_URL, timeout=120, max_retries=0, method="tools")


@pytest.mark.vcr
def test_claim_extraction_on_a_real_server_answer() -> None:
    article = load_file(WITHDRAWN, 10**7).articles[0]
    asker = Asker(gemma(), None)
    claims, dropped = LLMExtractor(asker, max_claims=5).extract(article)
    usage = asker.meter.usage()
    assert usage.calls >= 1 and usage.input_tokens > 0 and usage.output_tokens > 0
    for claim in claims:  # whatever Gemma proposed, only verifiable spans survive
        assert article.text[claim.start : claim.end] == claim.source_text


@pytest.mark.vcr
def test_judging_on_a_real_server_answer() -> None:
    a = load_file(WITHDRAWN, 10**7).articles[0]
    b = load_file(REPOSITIONING, 10**7).articles[0]
    start = a.text.index("Russian forces have fully withdrawn")
    claim = Claim(
        id="c1",
        article_id=a.id,
        text="Russian forces have fully withdrawn from Kyiv and Chernihiv.",
        speaker="the Pentagon",
        when="2022-04-06",
        kind="event",
        start=start,
        end=start + 60,
        source_text=a.text[start : start + 60],
    )
    span = b.text.index("Kirby told reporters")
    evidence = [Evidence(chunk_id="b:0", text=b.text[span : span + 300], start=span, end=span + 300, score=0.7)]
    verdict = LLMJudge(Asker(gemma(), None)).judge(claim, a, b, evidence)
    assert verdict.label in LABELS and verdict.judge == "llm" and verdict.prompt_sha
    assert verdict.raw  # the model's own words are kept for audit
    if verdict.label == "unscored":
        assert verdict.error
    if verdict.quote is not None:
        assert b.text[verdict.quote_start : verdict.quote_end] == verdict.quote


class FixedClaims:
    """The seed pair's claims, fixed: extraction over HTTP is covered above, and Gemma's
    extraction of longer prompts can send llama.cpp's grammar into a long search."""

    name = "fixed-seed-claims"

    def extract(self, article):
        from checker.claims.llm_claims import make_claim

        sentences = [
            "Russian forces have fully withdrawn from the Ukrainian capital, Kyiv, and the city of Chernihiv to its north",
            "The United States announced Tuesday night the approval of an additional $100 million in military assistance for Ukraine",
        ]
        return [c for c in (make_claim(article, s, s, "the Pentagon", None, "event") for s in sentences) if c], 0


@pytest.mark.vcr
@pytest.mark.usefixtures("fake_embeddings")
def test_the_seed_pair_judged_through_a_real_server(store, settings, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (WITHDRAWN, REPOSITIONING):
        shutil.copy(path, corpus)
    ingest([corpus], store, settings)
    a = store.get_article("esocialnews-2022-04-06-fully-withdrawn").article
    b = store.get_article("yahoo-2022-03-29-pentagon-casts-doubt").article
    results = SQLiteResults(tmp_path / "r.db")
    asker = Asker(gemma(), results)
    # One passage per claim: Gemma on long prompts can send llama.cpp's grammar search astray.
    comparison = compare(a, b, store, FixedClaims(), LLMJudge(asker), results, CompareOptions(top_k=1, concurrency=1), usage=asker.meter.usage)
    assert len(comparison.results) == 2 and sum(comparison.summary.values()) == 2
    for result in comparison.results:
        assert result.verdict.label in LABELS and result.verdict.raw
        if result.verdict.quote is not None:
            assert b.text[result.verdict.quote_start : result.verdict.quote_end] == result.verdict.quote
    # The same comparison again is served from the results database.
    again = Asker(gemma(), results)
    compare(a, b, store, FixedClaims(), LLMJudge(again), results, CompareOptions(top_k=1, concurrency=1))
    assert again.meter.calls == 0
