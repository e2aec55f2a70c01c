"""The report and `compare` never disagree about a claim and a report (issue 38): a pair is
judged as compare judges it, under compare's key, so each reuses what the other judged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import CORPUS
from tests.test_hostile_two import ID_A, ID_B, SEED_A, SEED_B, _judging_by_keywords

runner = CliRunner()


def run(*args: object):  # type: ignore[no-untyped-def]
    from checker.cli import app

    return runner.invoke(app, [str(a) for a in args])


def conflicts_of(report: dict) -> list[tuple[str, str, str]]:
    """(earlier claim, later article, label) of each conflict of a JSON report."""
    claims = {c["id"]: c for c in report["claims"]}
    pairs = {p["id"]: p for p in report["pairs"]}
    return [(pairs[c["pair"]]["earlier"], claims[pairs[c["pair"]]["later"]]["article_id"], c["label"]) for c in report["conflicts"]]


def test_a_conflict_compare_found_is_in_the_report_even_unpaired(fake_embeddings, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr("checker.pipelines.judging.build", lambda *a, **k: _judging_by_keywords())
    compared = run("compare", SEED_A, SEED_B, "--both-ways", "--format", "json")
    assert compared.exit_code == 0, compared.output
    found = [(r["claim"]["id"], r["verdict"]["label"]) for r in json.loads(compared.stdout)["results"] if r["verdict"]["label"] == "superseded"]
    assert found, "the keyword judge finds the seed conflict"
    # A similarity floor no pair reaches: pairing by meaning proposes nothing, yet compare's finding stays.
    result = run("report", CORPUS, "--min-similarity", "0.99", "-o", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    in_report = {(claim, label) for claim, _, label in conflicts_of(report)}
    assert set(found) <= in_report
    for fmt in ("md", "html"):
        assert run("report", CORPUS, "--min-similarity", "0.99", "-o", tmp_path / f"r.{fmt}").exit_code == 0
        text = (tmp_path / f"r.{fmt}").read_text()
        assert "Decided " in text and "superseded" in text


def test_the_first_screen_says_how_much_was_decided_and_never_a_bare_full_agreement(fake_embeddings, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr("checker.pipelines.judging.build", lambda *a, **k: _judging_by_keywords())
    assert run("report", CORPUS, "-o", tmp_path / "r.html").exit_code == 0
    page = (tmp_path / "r.html").read_text()
    first = page[page.index("<body>") : page.index('<h2 id="matrix">')]
    assert 'id="decided"' in first and "Decided " in first and "not addressed" in first
    assert first.index('id="decided"') < first.index('id="conflicts"')  # conflicts come before the matrix
    matrix = page[page.index('<svg id="heatmap"') : page.index("</svg>")]
    assert "100%" not in matrix and "%" not in matrix  # counts ("2/3"), never a bare share


@pytest.mark.slow
def test_the_sample_report_finds_the_seed_conflict_compare_finds(tmp_path: Path) -> None:
    """The real embedder and offline judge, a fresh store: the report alone finds the seed
    conflict, and compare, run after it, says the same of the same claim and report."""
    store = tmp_path / "store"
    result = run("report", CORPUS, "--store", store, "-o", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    in_report = conflicts_of(json.loads((tmp_path / "r.json").read_text()))
    seed = [(claim, label) for claim, later, label in in_report if claim.startswith(ID_B) and later == ID_A]
    assert seed and all(label == "superseded" for _, label in seed)
    compared = run("compare", SEED_A, SEED_B, "--both-ways", "--store", store, "--format", "json")
    assert compared.exit_code == 0, compared.output
    by_claim = {r["claim"]["id"]: r["verdict"]["label"] for r in json.loads(compared.stdout)["results"] if r["direction"] == "b->a"}
    assert all(by_claim[claim] == label for claim, label in seed)
