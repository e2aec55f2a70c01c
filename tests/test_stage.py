"""The stage compare and report share: one verdict table, one key, one failure rule."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from checker.errors import ExtractionFailed
from checker.llm.asking import BudgetReached
from checker.pipelines.stage import Stage, Task
from checker.schemas import Article, Claim, Evidence, Verdict, text_sha256
from checker.storage.results_base import VerdictKey
from checker.storage.sqlite_results import SQLiteResults


def article(article_id: str, text: str, published: str = "2022-03-29") -> Article:
    return Article(id=article_id, outlet=article_id.upper(), published=dt.date.fromisoformat(published), text=text, sha256=text_sha256(text))


def claim_of(source: Article, n: int) -> Claim:
    text = source.text.split(". ")[n].rstrip(".") + "."
    start = source.text.index(text[:-1])
    return Claim(
        id=f"{source.id}-c{n}", article_id=source.id, text=text, speaker=source.outlet, start=start, end=start + len(text) - 1, source_text=text[:-1]
    )


A = article("a", "Troops left the capital. Talks resume on Monday. The mayor spoke.")
B = article("b", "The troops repositioned near the capital. Talks resume Monday.")


class CountingJudge:
    name = "counting:v1"
    # Declared capabilities (checker.judges.base): no LLM inside, no scores, no screen.
    llm = None
    scorer = None
    screening = None

    def __init__(self, fail_on: str | None = None, budget_after: int | None = None) -> None:
        self.asked: list[str] = []
        self.fail_on = fail_on
        self.budget_after = budget_after

    def judge(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> Verdict:
        if self.budget_after is not None and len(self.asked) >= self.budget_after:
            raise BudgetReached("--max-calls 1 reached")
        self.asked.append(claim.id)
        if claim.id == self.fail_on:
            raise RuntimeError("a bug in the judge")
        label = "unscored" if claim.id.endswith("c2") else "agree"
        return Verdict(label=label, confidence=0.9, judge="counting", rationale="scripted")


def tasks(source: Article = A, other: Article = B) -> list[Task]:
    evidence = [Evidence(chunk_id="b-0", text=other.text[:40], start=0, end=40, score=0.9)]
    return [Task(claim_of(source, n), source, other, evidence, target="passages:top4") for n in range(3)]


def test_verdicts_are_stored_once_and_reused_under_both_versions(tmp_path: Path) -> None:
    results = SQLiteResults(tmp_path / "r.db")
    judge = CountingJudge()
    first = Stage(results, 2).verdicts(tasks(), judge)
    assert [o.verdict.label for o in first if o.verdict] == ["agree", "agree", "unscored"]
    assert len(judge.asked) == 3

    again = CountingJudge()
    second = Stage(results, 2).verdicts(tasks(), again)
    # Stored verdicts are reused; the unscored one is asked again, never stored as an answer.
    assert again.asked == ["a-c2"] and [o.reused for o in second] == [True, True, False]

    # A corrected date is a new version of B: everything is judged again.
    corrected = B.model_copy(update={"published": dt.date(2022, 4, 6)})
    third = CountingJudge()
    Stage(results, 2).verdicts(tasks(other=corrected), third)
    assert sorted(third.asked) == ["a-c0", "a-c1", "a-c2"]


def test_a_budget_stops_new_calls_and_reports_the_rest_missing(tmp_path: Path) -> None:
    stage = Stage(SQLiteResults(tmp_path / "r.db"), 1)
    outcomes = stage.verdicts(tasks(), CountingJudge(budget_after=1))
    assert outcomes[0].verdict is not None
    assert all(o.verdict is None and o.problem and "not judged" in o.problem for o in outcomes[1:])
    assert stage.stopped == "--max-calls 1 reached"


def test_any_other_failure_keeps_what_finished_then_is_raised(tmp_path: Path) -> None:
    results = SQLiteResults(tmp_path / "r.db")
    with pytest.raises(RuntimeError, match="a bug in the judge"):
        Stage(results, 1).verdicts(tasks(), CountingJudge(fail_on="a-c1"))
    kept = results.verdicts(CountingJudge.name, [t.key for t in tasks()])
    assert [k.claim_id for k in kept] == ["a-c0"]


def test_an_article_whose_claims_fail_is_reported_and_the_others_go_on(tmp_path: Path) -> None:
    class Extractor:
        name = "scripted"

        def extract(self, source: Article) -> tuple[list[Claim], int]:
            if source.id == "a":
                raise ExtractionFailed("a", "the model's answers were not valid claims")
            return [claim_of(source, 0)], 1

    stage = Stage(SQLiteResults(tmp_path / "r.db"), 2)
    found = stage.claims([A, B], Extractor())  # type: ignore[arg-type]
    assert found["a"] == [] and [c.id for c in found["b"]] == ["b-c0"]
    assert list(stage.failed) == ["a"] and stage.dropped == 1


def test_an_old_store_is_migrated_without_losing_a_paid_verdict(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE verdicts (claim_id TEXT, other_article_id TEXT, other_sha TEXT, judge TEXT, result TEXT, created REAL,
            PRIMARY KEY (claim_id, other_article_id, other_sha, judge));
        CREATE TABLE pair_verdicts (earlier_claim TEXT, earlier_version TEXT, later_claim TEXT, later_version TEXT, judge TEXT,
            result TEXT, created REAL, PRIMARY KEY (earlier_claim, earlier_version, later_claim, later_version, judge));
        """
    )
    paid = {"verdict": {"label": "contradict"}, "similarity": 0.8}
    db.execute("INSERT INTO verdicts VALUES ('x', 'b', 'sha', 'llm:m:p', '{}', 0)")
    db.execute("INSERT INTO pair_verdicts VALUES ('a-c0', 'v1', 'b-c0', 'v2', 'llm:m:p', ?, 0)", (json.dumps(paid),))
    db.commit()
    db.close()

    # A dry run reads the old store as the migration would, and changes nothing in it.
    dry = SQLiteResults(path, read_only=True)
    assert dry.claim_verdicts("llm:m:p", {"a-c0", "b-c0"}, "claim:b-c0") == {VerdictKey("a-c0", "v1", "claim:b-c0", "v2"): ("", paid)}
    look = sqlite3.connect(path)
    assert "pair_verdicts" in {r[0] for r in look.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    look.close()
    dry.close()

    results = SQLiteResults(path)
    assert results.claim_verdicts("llm:m:p", {"a-c0", "b-c0"}, "claim:b-c0") == {VerdictKey("a-c0", "v1", "claim:b-c0", "v2"): ("", paid)}
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "pair_verdicts" not in tables and "verdicts" not in tables and "claim_verdicts" in tables
    results.close()
    assert SQLiteResults(path).claim_verdicts("llm:m:p", {"a-c0", "b-c0"}, "claim:b-c0")  # opening again changes nothing
