"""The eval suites replayed from recorded answers of two local models (evals/cassettes/).

A prompt cannot change without its measured accuracy being re-recorded: the recorded
results name the prompt hashes they were measured with, the cassettes match requests on
their exact body, and the replayed scores must not fall below the recorded baseline.

Recorded models: Gemma 3 270M (`make evals-record`) and Qwen2.5-Coder-1.5B-Instruct
(`make evals-record MODEL=qwen-1.5b`), each through llama.cpp's server on 127.0.0.1. A
recording records the cases of the model it serves and skips the other's. A model with no
recording yet for a suite is skipped with the command that records it, never passed.
"""

from __future__ import annotations

import os

import pytest

from checker.config import Settings
from checker.evaluation import evals, records, scoreboard
from checker.llm import local_llm, prompts
from checker.pipelines.judging import build
from tests.llm_server import RECORD_PORT

GEMMA = local_llm.MODELS["gemma-270m"]
QWEN = local_llm.MODELS["qwen-1.5b"]
# Which suites each model has recordings for, and how it was asked for JSON (the mode that
# measured better for it: evals/README.md).
RECORDED = {
    # Every suite with both models, recorded with the sentence-number prompts. Add a suite
    # here, then `make evals-record [MODEL=qwen-1.5b]` records it.
    GEMMA.key: (GEMMA, "tools", ["claim_passage", "extraction", "article_pairs"]),
    QWEN.key: (QWEN, "tools", ["claim_passage", "extraction", "article_pairs"]),
}
CASES = [(key, suite) for key, (_, _, suites) in RECORDED.items() for suite in suites]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(evals.ROOT / "evals" / "cassettes")


def rerecord(key: str) -> str:
    make = "make evals-record" + ("" if key == GEMMA.key else f" MODEL={key}")
    return f"re-record with `{make}` and commit evals/cassettes, evals/results and evals/SCOREBOARD.md"


def settings_for(key: str) -> Settings:
    model, method, _ = RECORDED[key]
    return Settings(
        base_url=f"http://127.0.0.1:{RECORD_PORT}/v1", model=model.name, structured_output=method, timeout=600, max_retries=0, concurrency=1
    )


def baseline(suite: str, key: str) -> records.SuiteResult | None:
    model, method, _ = RECORDED[key]
    recorded = [
        r
        for r in scoreboard.load_results()
        if r.suite == suite and r.model == model.name and r.judge == "llm" and (r.structured_output or "tools") == method
    ]
    return max(recorded, key=lambda r: r.recorded_at) if recorded else None


def unrecorded(report: records.SuiteResult, recorded: records.SuiteResult | None) -> list[str]:
    """Cases that asked for an answer the cassette does not hold. A call that failed while
    ``recorded`` was recorded (the server restarted) has nothing to replay, by design."""
    failed_then = {r.id for r in recorded.results if r.error} if recorded else set()
    return [r.id for r in report.results if r.error and "CannotOverwriteExistingCassette" in r.error and r.id not in failed_then]


# Read when the module is imported: the test fixtures clear CHECKER_* variables.
RECORDING = os.environ.get("CHECKER_LOCAL_MODEL", GEMMA.key)


def recording_other_model(key: str, record_mode: str) -> bool:
    return record_mode != "none" and key != RECORDING


@pytest.mark.parametrize(("key", "suite"), CASES)
def test_recorded_results_were_measured_with_the_prompts_on_disk(key: str, suite: str, record_mode: str) -> None:
    if record_mode != "none":
        pytest.skip("recording: the baseline is being written")
    recorded = baseline(suite, key)
    if recorded is None:
        pytest.fail(f"no recorded {key} results for the {suite} suite; {rerecord(key)}")
    changed = [
        f"prompts/{name}.md (recorded {sha}, now {prompts.load(name).sha})"
        for name, sha in sorted(recorded.prompts.items())
        if prompts.load(name).sha != sha
    ]
    if changed:
        pytest.fail(f"{', '.join(changed)} changed since the {suite} eval was recorded with {key}; {rerecord(key)}")


@pytest.mark.parametrize(("key", "suite"), CASES)
@pytest.mark.vcr
@pytest.mark.timeout(7200)  # recording asks a slow local model; a replay takes seconds
def test_replayed_scores_are_not_below_the_recorded_baseline(key: str, suite: str, record_mode: str, vcr) -> None:
    if recording_other_model(key, record_mode):
        pytest.skip(f"recording {RECORDING}, not {key}")
    vcr.cassette_library_dir = str(evals.ROOT / "evals" / "cassettes")
    settings = settings_for(key)
    report = evals.run_suite(suite, build("llm", settings, None), settings)
    if record_mode != "none":  # `make evals-record`: this run is the new baseline
        scoreboard.save(report)
        scoreboard.write_scoreboard()
        return
    recorded = baseline(suite, key)
    assert recorded is not None, f"no recorded {key} results for the {suite} suite; {rerecord(key)}"
    missing = unrecorded(report, recorded)
    if missing:
        pytest.fail(f"{len(missing)} {suite} requests have no recorded answer (a prompt, model or parameter changed); {rerecord(key)}")
    keys = {"claim_passage": ["accuracy", "macro_f1"], "extraction": ["required_recall"], "article_pairs": ["conflict_recall"]}[suite]
    for name in keys:
        assert report.metrics[name] >= recorded.metrics[name], f"{suite} {name} fell below the recorded baseline"
    assert [r.predicted for r in report.results] == [r.predicted for r in recorded.results]
