"""`--dry-run`: what a compare or a report would cost, with nothing stored and no LLM called."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.config import Settings
from tests.conftest import CORPUS
from tests.fakes import ScriptedModel
from tests.test_compare import A_FILE, B_FILE, app_, cli_model, sensible  # noqa: F401 - the fixture is used by name

runner = CliRunner()


def dump(db: Path) -> list[str]:
    """Every row of every table, read by a fresh connection: what a dry run must not change."""
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_a_compare_dry_run_calls_nothing_and_writes_nothing(cli_model) -> None:  # noqa: F811
    cli_model["model"] = ScriptedModel(sensible, model="gpt-4o-mini")  # a model with a listed price
    result = runner.invoke(app_(), ["compare", A_FILE, B_FILE, "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    estimate = json.loads(result.stdout)
    assert cli_model["model"].calls() == 0 and not Path(".checker").exists()
    # One extraction call (the article fits one window), one judge call per claim.
    assert estimate["extraction_calls"] == 1 and estimate["judge_calls"] == estimate["pairs"] > 0
    assert estimate["input_tokens"] > 1000 and estimate["model"] == "gpt-4o-mini" and estimate["cost_usd"] > 0
    assert estimate["prices_as_of"]
    table = runner.invoke(app_(), ["compare", A_FILE, B_FILE, "--dry-run"])
    assert "nothing was stored, no LLM was called" in table.stdout and "LLM calls" in table.stdout


def test_after_a_real_run_the_dry_run_knows_the_claims_and_the_stored_verdicts(cli_model) -> None:  # noqa: F811
    paid = json.loads(runner.invoke(app_(), ["compare", A_FILE, B_FILE, "--format", "json"]).stdout)
    db = Path(".checker/results.sqlite3")
    before = dump(db)
    estimate = json.loads(runner.invoke(app_(), ["compare", A_FILE, B_FILE, "--dry-run", "--format", "json"]).stdout)
    assert estimate["claims_known"] == len(paid["results"]) and estimate["claims_estimated"] == 0
    assert estimate["pairs"] == estimate["pairs_stored"] == len(paid["results"]) and estimate["calls"] == 0
    assert cli_model["model"].calls() == paid["usage"]["calls"]  # no new call
    assert dump(db) == before

    # A changed article is a new version: its claims and verdicts are to be paid for again.
    changed = Path("changed.md")
    changed.write_text(Path(A_FILE).read_text(encoding="utf-8").replace("2022-04-06", "2022-04-07"), encoding="utf-8")
    again = json.loads(runner.invoke(app_(), ["compare", str(changed), B_FILE, "--dry-run", "--format", "json"]).stdout)
    assert again["pairs_stored"] == 0 and again["judge_calls"] == again["pairs"]


def test_an_unknown_id_in_a_dry_run_is_one_line(cli_model) -> None:  # noqa: F811
    result = runner.invoke(app_(), ["compare", "no-such-id", B_FILE, "--dry-run"])
    assert result.exit_code == 2 and "no-such-id: no such file, and no indexed article" in result.stderr


@pytest.mark.slow
def test_a_report_dry_run_pairs_as_the_real_report_does(tmp_path: Path) -> None:
    store = tmp_path / "store"
    estimate = json.loads(runner.invoke(app_(), ["report", str(CORPUS), "--dry-run", "--format", "json", "--store", str(store)]).stdout)
    assert not store.exists()  # nothing indexed, nothing stored
    assert estimate["calls"] == 0 and estimate["cost_usd"] == 0 and estimate["articles"] == 5

    out = tmp_path / "report.json"
    result = runner.invoke(app_(), ["report", str(CORPUS), "--store", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    coverage = json.loads(out.read_text())["coverage"]
    assert estimate["pairs"] == coverage["candidate_pairs"] and estimate["claims_known"] == coverage["claims"]

    rerun = json.loads(runner.invoke(app_(), ["report", str(CORPUS), "--dry-run", "--format", "json", "--store", str(store)]).stdout)
    assert rerun["pairs"] == coverage["candidate_pairs"] and rerun["pairs_stored"] == coverage["judged"]


def test_a_report_dry_run_of_one_outlet_says_what_to_do(tmp_path: Path) -> None:
    one = tmp_path / "one"
    one.mkdir()
    (one / "a.md").write_text(Path(A_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app_(), ["report", str(one), "--dry-run"])
    assert result.exit_code == 2 and "at least two" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_a_cold_report_estimate_is_within_a_fifth_of_a_run_that_claims_every_sentence(tmp_path: Path) -> None:
    """With nothing extracted yet, the estimate assumes one claim per checkable sentence, about
    what a real model extracts from news (Qwen2.5-1.5B's recorded answers: 78 claims for 87
    sentences shown). Against a stub that claims every sentence of 40 characters or more, the
    calls land within 20% of the estimate, and each call's prompt, counted by a real tokenizer,
    within 10% of the estimate's four characters a token. (How long answers are depends on
    the model, not on the estimate: bench/dryrun_bench.py measures them with Qwen's tokenizer.)"""
    from tests.stub_llm import StubLLM

    store = tmp_path / "store"
    with StubLLM(count_tokens=True, claims_per_article=None) as stub:
        llm = ["--base-url", stub.base_url, "--model", "stub", "--store", str(store)]
        dry = runner.invoke(app_(), ["report", str(CORPUS), "--dry-run", "--format", "json", *llm])
        assert dry.exit_code == 0, dry.output
        estimate = json.loads(dry.stdout)
        assert stub.request_count == 0 and not store.exists()
        out = tmp_path / "report.json"
        result = runner.invoke(app_(), ["report", str(CORPUS), "--out", str(out), *llm])
        assert result.exit_code == 0, result.output
        usage = json.loads(out.read_text())["usage"]
        assert usage["calls"] == stub.request_count
    assert 0.8 <= usage["calls"] / estimate["calls"] <= 1.2, (usage, estimate)
    per_call = (usage["input_tokens"] / usage["calls"]) / (estimate["input_tokens"] / estimate["calls"])
    assert 0.9 <= per_call <= 1.1, (usage, estimate)


def test_new_articles_are_estimated_at_the_rate_the_extractor_showed_on_this_runs_other_articles(cli_model) -> None:  # noqa: F811
    """A model's claims grow with what an article says: after a compare extracted the seed
    article, a report's estimate for the other articles scales their checkable sentences by
    the claims per checkable sentence the extractor gave the one it has read."""
    from checker.claims.offline_claims import SentenceExtractor
    from checker.pipelines.ingest import read_articles

    assert runner.invoke(app_(), ["compare", A_FILE, B_FILE, "--format", "json"]).exit_code == 0
    estimate = json.loads(runner.invoke(app_(), ["report", str(CORPUS), "--dry-run", "--format", "json"]).stdout)

    articles, _ = read_articles([CORPUS], Settings())
    db = sqlite3.connect(".checker/results.sqlite3")
    stored = dict(db.execute("SELECT article_id, json_array_length(claims) FROM claims").fetchall())
    db.close()
    sentences = {a.id: len(SentenceExtractor(max_claims=10**6).extract(a)[0]) for a in articles}
    rate = sum(stored.values()) / sum(sentences[i] for i in stored)
    new = [i for i in sentences if i not in stored]
    assert len(stored) == 1 and len(new) == 4
    assert estimate["claims_known"] == sum(stored.values())
    assert estimate["claims_estimated"] == sum(min(Settings().max_claims, sentences[i], round(rate * sentences[i])) for i in new)
    assert any("per checkable sentence" in note and "the 1 article of this run" in note for note in estimate["notes"])
