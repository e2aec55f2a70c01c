"""The eval suites replayed from recorded Gemma 3 270M answers (evals/cassettes/).

A prompt cannot change without its measured accuracy being re-recorded: the recorded
results name the prompt hashes they were measured with, the cassettes match requests on
their exact body, and the replayed scores must not fall below the recorded baseline.
Re-record with `make evals-record` (starts llama.cpp's server on 127.0.0.1).
"""

from __future__ import annotations


import pytest

from checker import evals, prompts
from checker.config import Settings
from checker.judging import build
from tests.llm_server import RECORD_PORT

MODEL = "gemma-3-270m"
# The article-pair suite is not recorded for Gemma: article-length prompts send llama.cpp's
# grammar-constrained decoding into runaway searches too often to finish a recording.
SUITES = ["claim_passage", "extraction"]
RERECORD = ("re-record with `make evals-record` and commit evals/cassettes, evals/results and evals/SCOREBOARD.md")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(evals.ROOT / "evals" / "cassettes")


def gemma_settings() -> Settings:
    return Settings(base_url=f"http://127.0.0.1:{RECORD_PORT}/v1", model=MODEL, structured_output="tools",
                    timeout=120, max_retries=0, concurrency=1)


def baseline(suite: str) -> evals.SuiteResult:
    recorded = [r for r in evals.load_results() if r.suite == suite and r.model == MODEL and r.judge == "llm"]
    if not recorded:
        pytest.fail(f"no recorded {MODEL} results for the {suite} suite; {RERECORD}")
    return max(recorded, key=lambda r: r.recorded_at)


@pytest.mark.parametrize("suite", SUITES)
def test_recorded_results_were_measured_with_the_prompts_on_disk(suite: str, record_mode: str) -> None:
    if record_mode != "none":
        pytest.skip("recording: the baseline is being written")
    recorded = baseline(suite)
    changed = [f"prompts/{name}.md (recorded {sha}, now {prompts.load(name).sha})"
               for name, sha in sorted(recorded.prompts.items()) if prompts.load(name).sha != sha]
    if changed:
        pytest.fail(f"{', '.join(changed)} changed since the {suite} eval was recorded; {RERECORD}")


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.vcr
@pytest.mark.timeout(3600)  # recording asks a slow local model; a replay takes seconds
def test_replayed_scores_are_not_below_the_recorded_baseline(suite: str, record_mode: str, vcr) -> None:
    vcr.cassette_library_dir = str(evals.ROOT / "evals" / "cassettes")
    settings = gemma_settings()
    report = evals.run_suite(suite, build("llm", settings, None), settings)
    if record_mode != "none":  # `make evals-record`: this run is the new baseline
        evals.save(report)
        evals.write_scoreboard()
        return
    recorded = baseline(suite)
    # A call that failed while recording (the server restarted) has nothing to replay, by design.
    # Extraction results recorded before failed extractions became errors carry no error: a
    # case recorded with no claims and no request in the cassette failed then (8 requests
    # recorded for the 10 extraction cases).
    failed_then = {r.id for r in recorded.results if r.error or r.predicted == []}
    missing = [r.id for r in report.results if r.error and "CannotOverwriteExistingCassette" in r.error and r.id not in failed_then]
    if missing:
        pytest.fail(f"{len(missing)} {suite} requests have no recorded answer (a prompt, model or parameter changed); {RERECORD}")
    keys = ["accuracy", "macro_f1"] if suite == "claim_passage" else ["required_recall"]
    for key in keys:
        assert report.metrics[key] >= recorded.metrics[key], f"{suite} {key} fell below the recorded baseline"
    assert [r.predicted for r in report.results] == [r.predicted for r in recorded.results]
