"""The no-key path: the combined judges' rules, the local server found (never assumed), what a
user with neither key nor server is told, and a dry run's time from measured calls."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.choices import JudgeKind
from checker.cli import app
from checker.judges.cascade import POLICIES, CascadeJudge
from checker.llm import no_key, served
from checker.schemas import Verdict
from tests.conftest import CORPUS
from tests.test_offline_judge import PASSAGE, FixedJudge, article, claim

runner = CliRunner()
A_FILE = str(CORPUS / "2022-04-06-esocialnews-fully-withdrawn.md")
B_FILE = str(CORPUS / "2022-03-29-yahoo-pentagon-casts-doubt.md")


# -- the rules that combine the offline judge and the LLM ---------------------------------------


@pytest.mark.parametrize(
    ("policy", "offline", "asked"),
    [
        ("keep-contradictions", Verdict(label="contradict", confidence=0.6, judge="nli"), False),  # an offline contradiction stands
        ("keep-contradictions", Verdict(label="superseded", confidence=0.6, judge="nli"), False),
        ("keep-contradictions", Verdict(label="agree", confidence=0.99, judge="nli"), True),  # everything else: the LLM
        ("keep-contradictions", Verdict(label="not_addressed", confidence=0.99, judge="nli"), True),
        ("keep-contradictions-and-sure", Verdict(label="contradict", confidence=0.6, judge="nli"), False),
        ("keep-contradictions-and-sure", Verdict(label="agree", confidence=0.95, judge="nli"), False),  # sure: stands
        ("keep-contradictions-and-sure", Verdict(label="not_addressed", confidence=0.5, judge="nli"), True),  # unsure: the LLM
        ("keep-contradictions-and-sure", Verdict(label="unscored", judge="nli"), True),  # not English: the LLM
        ("cascade", Verdict(label="contradict", confidence=0.99, judge="nli"), True),
    ],
)
def test_each_policy_asks_the_llm_exactly_where_its_rule_says(policy: str, offline: Verdict, asked: bool) -> None:
    llm = FixedJudge(Verdict(label="agree", confidence=0.8, judge="llm"))
    judge = CascadeJudge(FixedJudge(offline), llm, policy)  # type: ignore[arg-type]
    result = judge.judge(claim("x"), article("x", None, "a"), article(PASSAGE, None), [])
    assert llm.calls == int(asked) and judge.screening.escalated == int(asked)
    assert result.judge == ("llm" if asked else "nli")
    assert judge.name.startswith(f"{policy}:")  # each policy keys its own stored verdicts


def test_the_shipped_recommendation_is_a_judge_checker_offers() -> None:
    from checker.choices import JudgeKind

    assert no_key.RECOMMENDED in JudgeKind and no_key.RECOMMENDED is not JudgeKind.auto
    assert set(POLICIES) >= {"cascade", "keep-contradictions", "keep-contradictions-and-sure"}


# -- finding a local server, telling the user ---------------------------------------------------


class _Models(BaseHTTPRequestHandler):
    names: list[str] = ["qwen2.5-coder-1.5b-instruct"]

    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps({"data": [{"id": n} for n in self.names]}).encode()
        self.send_response(200 if self.path.endswith("/models") else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - a chat completion, as llama.cpp's server answers one
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps({"choices": [{"message": {"role": "assistant", "content": "It reports a convoy."}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def models_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Models)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_a_running_server_is_found_and_a_missing_one_is_not(models_server: str) -> None:
    assert served.local_server(models_server) == "qwen2.5-coder-1.5b-instruct"
    dead = models_server.rsplit(":", 1)[0] + ":9/v1"
    assert served.local_server(dead) is None


def test_the_server_launcher_times_a_judged_pair_and_says_what_a_run_costs(models_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    from checker.llm import local_llm

    assert local_llm.probe_seconds(models_server, "qwen2.5-coder-1.5b-instruct", ready_within=5) is not None
    local_llm.tell_speed(models_server, "qwen2.5-coder-1.5b-instruct")
    said = capsys.readouterr().out
    assert "a judged pair takes about" in said and f"asks it {no_key.SEED_PAIRS} times" in said
    assert local_llm.probe_seconds(models_server.rsplit(":", 1)[0] + ":9/v1", "m", ready_within=1.5) is None  # never came up


def test_make_run_adds_options_only_for_a_recommendation_that_asks_the_server(
    models_server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(no_key, "local_server", lambda: served.local_server(models_server))
    monkeypatch.setattr("sys.argv", ["no_key", "--flags"])
    no_key.main()
    found = capsys.readouterr()
    if no_key.RECOMMENDED is JudgeKind.nli:  # the measured choice (2026-12-08): nothing added; checker's note says why
        assert found.out == ""
        assert "judged offline although qwen2.5-coder-1.5b-instruct is served" in no_key.offline_note()
    else:
        assert found.out.split() == ["--base-url", served.LOCAL_URL, "--judge", no_key.RECOMMENDED.value]
    monkeypatch.setattr(no_key, "local_server", lambda: None)
    no_key.main()
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("CHECKER_BASE_URL", "http://127.0.0.1:9/v1")  # a configured LLM wins: nothing added
    no_key.main()
    assert capsys.readouterr().out == ""


@pytest.mark.usefixtures("fake_embeddings")
def test_an_offline_run_tells_how_to_start_a_local_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(no_key, "local_server", lambda: None)
    result = runner.invoke(app, ["compare", A_FILE, B_FILE])
    assert result.exit_code == 0, result.output
    note = " ".join(result.stderr.split())
    assert "make llm-server MODEL=qwen-1.5b" in note and "1.1 GB" in note and "OPENAI_API_KEY" in note
    assert "did not beat" in note or "beat the offline judge" in note
    monkeypatch.setattr(no_key, "local_server", lambda: "qwen2.5-coder-1.5b-instruct")
    served_note = " ".join(runner.invoke(app, ["compare", A_FILE, B_FILE]).stderr.split())
    assert "qwen2.5-coder-1.5b-instruct is served" in served_note and "--judge cascade" in served_note
    quiet = runner.invoke(app, ["compare", A_FILE, B_FILE, "--judge", "nli"])  # chosen, not defaulted: no note
    assert "make llm-server" not in quiet.stderr


def test_no_llm_configured_says_how_to_start_a_local_one() -> None:
    result = runner.invoke(app, ["compare", A_FILE, B_FILE, "--judge", "llm"])
    assert result.exit_code == 2
    assert "make llm-server MODEL=qwen-1.5b" in " ".join(result.stderr.split())


# -- a dry run's time, from the calls measured in this store ------------------------------------


def test_call_times_are_stored_and_averaged_per_model_and_schema(tmp_path: Path) -> None:
    from checker.storage.sqlite_results import SQLiteResults

    results = SQLiteResults(tmp_path / "r.db")
    assert results.mean_call_seconds("m", "JudgeAnswer") is None
    results.store_call("a", "m", "http://127.0.0.1:8080/v1", None, "{}", 500, 50, schema="JudgeAnswer", seconds=8.0)
    results.store_call("b", "m", "http://127.0.0.1:8080/v1", None, "{}", 500, 50, schema="JudgeAnswer", seconds=12.0)
    results.store_call("c", "m", "http://127.0.0.1:8080/v1", None, "{}", 500, 50, schema="ExtractedClaims", seconds=30.0)
    results.store_call("d", "m", "http://127.0.0.1:8080/v1", None, "{}", 500, 50, schema="JudgeAnswer")  # from before timing
    assert results.mean_call_seconds("m", "JudgeAnswer") == 10.0
    assert results.mean_call_seconds("other", "JudgeAnswer") is None


def test_a_local_models_dry_run_prices_nothing_and_times_the_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes import ScriptedModel
    from tests.test_compare import sensible

    model = ScriptedModel(sensible, model="qwen2.5-coder-1.5b-instruct", endpoint="http://127.0.0.1:8080/v1")
    monkeypatch.setattr("checker.pipelines.judging.make_model", lambda *args, **kwargs: model)
    llm = ["--base-url", "http://127.0.0.1:8080/v1", "--judge", "llm"]
    untimed = json.loads(runner.invoke(app, ["compare", A_FILE, B_FILE, "--dry-run", "-f", "json", *llm]).stdout)
    assert untimed["cost_usd"] == 0 and untimed["seconds"] is None
    assert any("no JudgeAnswer call" in note for note in untimed["notes"])
    assert runner.invoke(app, ["compare", A_FILE, B_FILE, *llm]).exit_code == 0  # a real run times its calls
    changed = tmp_path / "changed.md"
    changed.write_text(Path(A_FILE).read_text(encoding="utf-8").replace("2022-04-06", "2022-04-07"), encoding="utf-8")
    timed = json.loads(runner.invoke(app, ["compare", str(changed), B_FILE, "--dry-run", "-f", "json", *llm]).stdout)
    assert timed["judge_calls"] > 0 and timed["seconds"] is not None and timed["seconds"] >= 0
    table = runner.invoke(app, ["compare", str(changed), B_FILE, "--dry-run", *llm]).stdout
    assert "LLM time" in table
