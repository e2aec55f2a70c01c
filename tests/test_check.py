"""`checker check`: one claim against the index, answered per outlet (scripted judge, fake embeddings)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from checker.pipelines.check import ArticleVerdict, mark_superseded
from checker.schemas import Verdict
from tests.conftest import CORPUS
from tests.fakes import KeywordJudge

runner = CliRunner()
SEED = "Russian forces have fully withdrawn from Kyiv"


def app_():  # type: ignore[no-untyped-def]
    from checker.cli import app

    return app


@pytest.fixture
def keyword_judge(monkeypatch):  # type: ignore[no-untyped-def]
    """The offline judge's place taken by a keyword judge, so no model is loaded."""
    from checker.pipelines.judging import Judging

    judge = KeywordJudge()
    monkeypatch.setattr("checker.pipelines.judging.build", lambda *args, **kwargs: Judging("nli", None, judge, None, None, None, {}))  # type: ignore[arg-type]
    return judge


def test_the_seed_claim_is_answered_per_outlet_with_quotes(fake_embeddings, keyword_judge) -> None:
    result = runner.invoke(app_(), ["check", SEED, str(CORPUS), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == "checker.check/1" and data["claim"] == SEED
    outlets = {a["outlet"] for a in data["articles"]}
    assert len(outlets) >= 3
    for article in data["articles"]:
        verdict = article["verdict"]
        assert verdict["label"] in ("agree", "contradict", "superseded", "not_addressed")
        if verdict["quote"]:  # verbatim, checked against the article
            assert verdict["quote_start"] is not None
    assert sum(data["summary"].values()) == len(data["articles"])


def test_the_claim_can_come_from_standard_input(fake_embeddings, keyword_judge) -> None:
    result = runner.invoke(app_(), ["check", "-", str(CORPUS), "--format", "json"], input=SEED + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["claim"] == SEED


def test_the_claim_can_come_from_a_file(fake_embeddings, keyword_judge, tmp_path) -> None:
    claim = tmp_path / "claim.txt"
    claim.write_text(SEED + "\n")
    result = runner.invoke(app_(), ["check", str(claim), str(CORPUS), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["claim"] == SEED


def test_an_unknown_outlet_is_one_line(fake_embeddings, keyword_judge) -> None:
    assert runner.invoke(app_(), ["ingest", str(CORPUS)]).exit_code == 0
    result = runner.invoke(app_(), ["check", SEED, "--outlet", "Nobody News"])
    assert result.exit_code == 2 and "--outlet Nobody News: no indexed article is from this outlet" in result.stderr


def test_only_one_outlet_when_asked(fake_embeddings, keyword_judge) -> None:
    assert runner.invoke(app_(), ["ingest", str(CORPUS)]).exit_code == 0
    data = json.loads(runner.invoke(app_(), ["check", SEED, "--outlet", "RT", "--format", "json"]).stdout)
    assert {a["outlet"] for a in data["articles"]} == {"RT"}


def test_since_keeps_only_later_reports(fake_embeddings, keyword_judge) -> None:
    assert runner.invoke(app_(), ["ingest", str(CORPUS)]).exit_code == 0
    data = json.loads(runner.invoke(app_(), ["check", SEED, "--since", "2022-03-01", "--format", "json"]).stdout)
    assert data["articles"] and all(a["published"] >= "2022-03-01" for a in data["articles"])


def test_an_empty_index_says_how_to_fill_it(fake_embeddings, keyword_judge) -> None:
    result = runner.invoke(app_(), ["check", SEED])
    assert result.exit_code == 2 and "the index is empty" in result.stderr and "checker ingest" in result.stderr


def test_an_empty_claim_is_one_line(fake_embeddings, keyword_judge) -> None:
    result = runner.invoke(app_(), ["check", "-"], input="  \n")
    assert result.exit_code == 2 and "the claim is empty" in result.stderr


def test_fail_on_exits_1(fake_embeddings, keyword_judge) -> None:
    result = runner.invoke(
        app_(),
        [
            "check",
            "Kirby said the withdrawal was a repositioning",
            str(CORPUS),
            "--fail-on",
            "contradict",
            "--fail-on",
            "superseded",
            "--fail-on",
            "agree",
        ],
    )
    assert result.exit_code == 1 and "--fail-on" in result.stderr


def _item(article_id: str, label: str, day: int) -> ArticleVerdict:
    return ArticleVerdict(
        article_id=article_id, outlet=article_id, title="", published=dt.date(2022, 3, day), verdict=Verdict(label=label, judge="nli")
    )


def test_when_reports_disagree_the_older_side_is_superseded_by_the_newer() -> None:
    marked = {v.article_id: v for v in mark_superseded([_item("old", "contradict", 1), _item("new", "agree", 9), _item("quiet", "not_addressed", 5)])}
    assert marked["old"].verdict.label == "superseded" and marked["old"].superseded_by == "new"
    assert marked["new"].verdict.label == "agree" and marked["quiet"].verdict.label == "not_addressed"
