"""The offline judge on the eval suite (no network at all), and the cascade's saving.

The offline judge is deterministic, so its scores are compared with the result recorded
by `make train-judge` (training/evaluate_nli.py): a change to the model, the decision rule
or the suite shows up here. The cascade replays the Gemma answers recorded for the LLM
judge (the cascade sends byte-identical requests, for fewer cases).
"""

from __future__ import annotations

import os

import pytest

from checker.config import Settings
from checker.evaluation import evals, records, scoreboard
from checker.pipelines.judging import Judging, build
from tests.test_evals_recorded import GEMMA, settings_for

pytestmark = pytest.mark.slow


def offline() -> Judging:
    from checker.claims.offline_claims import SentenceExtractor
    from checker.judges.nli import NLIJudge

    judge = NLIJudge()
    return Judging("nli", SentenceExtractor(), judge, None, judge.model_name, None, {})


def recorded(judge: str, model: str, suite: str = "claim_passage") -> records.SuiteResult:
    found = [r for r in scoreboard.load_results() if r.suite == suite and r.judge == judge and r.model == model]
    if not found:
        pytest.fail(f"no recorded {suite} result for the {judge} judge ({model}); run `make train-judge` or `make evals-record`")
    return max(found, key=lambda r: r.recorded_at)


def test_offline_judge_matches_its_recorded_scores() -> None:
    report = evals.run_suite("claim_passage", offline(), Settings(concurrency=1))
    baseline = recorded("nli", "nli-minilm")
    assert report.metrics["accuracy"] >= baseline.metrics["accuracy"]
    assert report.metrics["macro_f1"] >= baseline.metrics["macro_f1"]
    assert [r.predicted for r in report.results] == [r.predicted for r in baseline.results]
    assert report.metrics["llm_calls"] == 0


def test_offline_extraction_matches_its_recorded_scores() -> None:
    report = evals.run_suite("extraction", offline(), Settings(concurrency=1))
    baseline = recorded("nli", "nli-minilm", "extraction")
    assert report.metrics["required_recall"] >= baseline.metrics["required_recall"]
    assert report.metrics["cases_with_forbidden_claims"] <= baseline.metrics["cases_with_forbidden_claims"]


LLM_CASSETTE = evals.ROOT / "evals" / "cassettes" / f"test_replayed_scores_are_not_below_the_recorded_baseline[{GEMMA.key}-claim_passage].yaml"


@pytest.mark.vcr(str(LLM_CASSETTE))
def test_cascade_replay_sends_fewer_calls_to_the_llm() -> None:
    settings = settings_for(GEMMA.key)
    judging = build("cascade", settings, None)
    report = evals.run_suite("claim_passage", judging, settings)
    assert report.metrics["screened_offline"] == report.cases
    assert 0 < report.metrics["sent_to_llm"] < report.cases
    assert report.metrics["llm_calls"] >= report.metrics["sent_to_llm"]  # re-asks of invalid answers add calls
    missing = [r.id for r in report.results if r.error and "CannotOverwriteExistingCassette" in r.error]
    assert not missing, "the cascade asked for answers the LLM suite never recorded; run `make evals-record`"
    if os.environ.get("SAVE_EVAL_RESULTS"):
        scoreboard.save(report)
        scoreboard.write_scoreboard()
    assert report.model == GEMMA.name
