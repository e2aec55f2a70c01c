"""Failures are loud (issue: a failed LLM looked like success): a dead endpoint, a server
answering 500, extractions that fail. Each test runs the real CLI against a stub server or a
closed port on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time

import pytest
from typer.testing import CliRunner

from tests.conftest import CORPUS
from tests.stub_llm import StubLLM

A = str(CORPUS / "2022-04-06-esocialnews-fully-withdrawn.md")
B = str(CORPUS / "2022-03-29-yahoo-pentagon-casts-doubt.md")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


def run(*args: str):  # type: ignore[no-untyped-def]
    from checker.cli import app

    return CliRunner().invoke(app, list(args))


def test_a_dead_endpoint_stops_at_once_with_one_line(fake_embeddings) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    started = time.monotonic()
    result = run("compare", A, B, "--base-url", url, "--fail-on", "contradict", "--fail-on", "unscored")
    assert result.exit_code != 0
    assert time.monotonic() - started < 20  # no retry loop against a port nobody listens on
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach the LLM endpoint" in lines[0] and f"Is the server running at {url}" in lines[0]
    assert "Traceback" not in result.output


def test_a_server_failing_every_extraction_is_an_error_not_success(fake_embeddings, monkeypatch) -> None:
    monkeypatch.setenv("CHECKER_MAX_RETRIES", "0")
    with StubLLM(faults=["500"] * 50) as stub:
        result = run("compare", A, B, "--base-url", stub.base_url, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["results"] == [] and len(data["failures"]) == 1
    assert "claim extraction failed" in data["failures"][0] and "failed (5xx): see its log" in data["failures"][0]
    assert "nothing could be judged" in result.stderr


def test_a_failed_extraction_is_not_stored_so_the_next_run_retries_it(fake_embeddings, monkeypatch) -> None:
    monkeypatch.setenv("CHECKER_MAX_RETRIES", "0")
    with StubLLM(faults=["500"] * 50) as stub:
        assert run("compare", A, B, "--base-url", stub.base_url).exit_code == 1
    with StubLLM() as stub:  # the same endpoint name is not needed: claims are keyed by the model and prompt
        result = run("compare", A, B, "--base-url", stub.base_url, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["results"] and data["failures"] == []


def test_a_partial_comparison_says_what_is_missing_in_every_format_and_fail_on_unscored_counts_it(fake_embeddings, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CHECKER_MAX_RETRIES", "0")
    outputs = {}
    for fmt in ("json", "markdown", "html", "table"):
        # A's extraction (the first request) fails; B's claims are judged against A.
        with StubLLM(faults=["500"]) as stub:
            out = tmp_path / f"out.{fmt}"
            result = run(
                "compare",
                A,
                B,
                "--both-ways",
                "--base-url",
                stub.base_url,
                "--format",
                fmt,
                "--out",
                str(out),
                "--store",
                str(tmp_path / f"store-{fmt}"),
            )
        assert result.exit_code == 0, result.output
        assert "claim extraction failed" in result.stderr
        outputs[fmt] = out.read_text()
    assert json.loads(outputs["json"])["failures"] and json.loads(outputs["json"])["results"]
    assert "Partial comparison" in outputs["markdown"] and "claim extraction failed" in outputs["markdown"]
    assert 'class="banner"' in outputs["html"] and "claim extraction failed" in outputs["html"]
    assert "missing:" in outputs["table"] and "claim extraction failed" in outputs["table"]

    with StubLLM(faults=["500"]) as stub:
        gate = run("compare", A, B, "--both-ways", "--base-url", stub.base_url, "--fail-on", "unscored", "--store", str(tmp_path / "gate"))
    assert gate.exit_code == 1 and "unscored" in gate.stderr


def test_a_report_where_every_extraction_failed_exits_non_zero_and_says_why(fake_embeddings, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CHECKER_MAX_RETRIES", "0")
    out = tmp_path / "report.md"
    with StubLLM(faults=["500"] * 200) as stub:
        result = run("report", str(CORPUS), "--base-url", stub.base_url, "--format", "markdown", "--out", str(out), "--fail-on-contradict")
    assert result.exit_code == 1, result.output
    text = out.read_text()
    assert "Partial report" in text and text.count("missing:") == 5
    assert "nothing could be judged" in result.stderr


@pytest.mark.parametrize("fmt", ["json"])
def test_a_report_failure_is_in_its_json(fake_embeddings, monkeypatch, tmp_path, fmt: str) -> None:
    monkeypatch.setenv("CHECKER_MAX_RETRIES", "0")
    out = tmp_path / "report.json"
    with StubLLM(faults=["500"] * 200) as stub:
        run("report", str(CORPUS), "--base-url", stub.base_url, "--format", fmt, "--out", str(out))
    coverage = json.loads(out.read_text())["coverage"]
    assert len(coverage["failed_articles"]) == 5


@pytest.mark.slow
def test_the_first_ctrl_c_ends_a_run_within_seconds_while_calls_hang(tmp_path) -> None:
    """`checker report` against a server that never answers (120 s timeout): Ctrl-C as soon
    as the first calls are in flight ends the real command within a few seconds, exit 130."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "CHECKER_STORE": str(tmp_path / "store"), "CHECKER_TIMEOUT": "120"}
    with StubLLM(faults=["hang"] * 50) as stub:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                # SIGUSR1 dumps every thread's stack: what a run that ignores Ctrl-C is doing.
                "import faulthandler, signal; faulthandler.register(signal.SIGUSR1); from checker.cli import main; main()",
                "report",
                str(CORPUS),
                "--base-url",
                stub.base_url,
                "--out",
                str(tmp_path / "r.html"),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # As a terminal starts it: SIGINT unblocked and not ignored. Earlier tests in this
            # process can leave SIGINT ignored or blocked, which a child inherits through
            # exec, and then Python never sees the Ctrl-C (seen in the full suite only).
            preexec_fn=lambda: (signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}), signal.signal(signal.SIGINT, signal.SIG_DFL)),
        )
        deadline = time.monotonic() + 180
        while not stub.requests and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert stub.requests, process.communicate()[1]
        time.sleep(1)
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGUSR1)
            time.sleep(2)
            process.kill()
            pytest.fail("Ctrl-C did not end the run within 60 s; its threads:\n" + process.communicate()[1][-6000:])
        took = time.monotonic() - sent
    assert process.returncode == 130, stderr
    assert took < 10, took
    assert "finished work is kept" in stderr
