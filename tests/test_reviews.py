"""Reviews: a decision on a verdict survives re-runs, cleans the report in every format, is
flagged when an article changes, and exports as an eval file `checker eval` scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from tests.conftest import CORPUS
from tests.test_hostile_two import keyword_judge  # noqa: F401 - the fixture is used by name

runner = CliRunner()
# The real embedder (it pairs the seed claims) and the keyword judge: the conflicts are known.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("keyword_judge")]


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    copied = tmp_path / "corpus"
    shutil.copytree(CORPUS, copied)
    return copied


def report(corpus: Path) -> dict:
    result = invoke("report", str(corpus), "--judge", "nli", "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_dismissed_conflict_leaves_the_report_and_stays_out_across_runs(corpus: Path) -> None:
    first = report(corpus)
    assert first["conflicts"], "the sample corpus has conflicts to review"
    pair = first["conflicts"][0]["pair"]
    done = invoke("review", pair, "--decision", "dismissed", "--note", "same event, told apart", "--reviewer", "ana")
    assert done.exit_code == 0, done.output
    assert "marked dismissed by ana" in done.stdout
    again = report(corpus)  # a re-run: every verdict reused, the review still in force
    assert pair not in [c["pair"] for c in again["conflicts"]] and again["reviewed_out"] == [pair]
    reviewed = next(p for p in again["pairs"] if p["id"] == pair)["review"]
    assert reviewed["decision"] == "dismissed" and reviewed["reviewer"] == "ana" and not reviewed["changed"]
    assert len(again["conflicts"]) == len(first["conflicts"]) - 1
    markdown = invoke("report", str(corpus), "--judge", "nli").stdout
    assert "## Left out by reviewers" in markdown and "Reviewed: **dismissed** by ana" in markdown
    html = invoke("report", str(corpus), "--judge", "nli", "-f", "html").stdout
    assert 'id="reviewed-out"' in html and "same event, told apart" in html
    assert "5 unchanged" in invoke("ingest", str(corpus)).stdout  # re-ingesting unchanged articles keeps it too
    assert report(corpus)["reviewed_out"] == [pair]


def test_a_changed_article_flags_the_review_instead_of_losing_it(corpus: Path) -> None:
    first = report(corpus)
    pair = first["conflicts"][0]["pair"]
    assert invoke("review", pair, "--decision", "wrong", "--label", "agree", "--reviewer", "ana").exit_code == 0
    claims = {c["id"]: c["article_id"] for c in first["claims"]}
    conflict = next(p for p in first["pairs"] if p["id"] == pair)
    changed_id = claims[conflict["later"]]
    article = next(a for a in first["articles"] if a["id"] == changed_id)
    path = next(p for p in corpus.iterdir() if article["title"][:20] in p.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8") + "\n\nA correction was added to this report later.\n", encoding="utf-8")
    after = report(corpus)
    kept = [p for p in after["pairs"] if p["id"] == pair and p["review"]]
    assert kept, "the pair is still proposed after the edit"
    assert kept[0]["review"]["changed"] and pair not in after["reviewed_out"]  # shown, flagged, no longer applied
    listed = json.loads(invoke("review", "-f", "json").stdout)
    assert [r["pair_id"] for r in listed] == [pair]  # never lost


def test_bad_reviews_are_one_line_each(corpus: Path) -> None:
    pair = report(corpus)["conflicts"][0]["pair"]
    for args, fragment in (
        ([pair, "--decision", "wrong"], "needs the label the verdict should have had"),
        ([pair, "--decision", "confirmed", "--label", "agree"], "--label goes with --decision wrong"),
        (["p-000000000000", "--decision", "confirmed"], "no stored verdict has this pair id"),
        ([pair], "no --decision given"),
    ):
        result = invoke("review", *args)
        assert result.exit_code == 2 and fragment in " ".join(result.stderr.split()), (args, result.stderr)
        assert "Traceback" not in result.output


def test_reviews_export_as_an_eval_file_checker_eval_scores(corpus: Path, tmp_path: Path) -> None:
    first = report(corpus)
    conflicts = [c["pair"] for c in first["conflicts"]]
    assert len(conflicts) >= 3
    invoke("review", conflicts[0], "--decision", "confirmed", "--reviewer", "ana")
    invoke("review", conflicts[1], "--decision", "wrong", "--label", "agree", "--reviewer", "ben")
    invoke("review", conflicts[2], "--decision", "dismissed", "--reviewer", "ben")
    exported = tmp_path / "reviewed.jsonl"
    result = invoke("review", "--export", str(exported))
    assert result.exit_code == 0, result.output
    assert "2 reviewed verdicts written as eval cases; 1 left out" in " ".join(result.stdout.split())
    rows = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [r["label"] for r in rows][1] == "agree" and all(r["passage"] and r["claim"] for r in rows)
    scored = invoke("eval", str(exported), "--judge", "nli", "-f", "json")
    assert scored.exit_code == 0, scored.output
    assert '"cases": 2' in scored.stdout
