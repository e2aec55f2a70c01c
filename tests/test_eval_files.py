"""`checker eval FILE.jsonl`: your own eval files in two formats, binary metrics, sampling, bad lines."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from checker.errors import InputError
from checker.evaluation import eval_files
from checker.pipelines.judging import Judging
from checker.schemas import Verdict

runner = CliRunner()


class WordJudge:
    """Agrees when the claim's last word is in the evidence, contradicts on "not"; its stated
    confidence is the share of the claim's words found in the evidence."""

    name = "words:v1"
    # Declared capabilities (checker.judges.base): no LLM inside, no scores, no screen.
    llm = None
    scorer = None
    screening = None

    def judge(self, claim, source, other, evidence):  # type: ignore[no-untyped-def]
        words = re.findall(r"\w+", claim.text.lower())
        text = other.text.lower()
        share = sum(w in text for w in words) / len(words)
        if " not " in f" {claim.text.lower()} ":
            label = "contradict"
        else:
            label = "agree" if words[-1] in text else "not_addressed"
        return Verdict(label=label, confidence=share if label == "agree" else 1 - share, judge="words")


@pytest.fixture
def word_judge(monkeypatch):  # type: ignore[no-untyped-def]
    judging = Judging("llm", None, WordJudge(), None, "words", None, {})  # type: ignore[arg-type]
    monkeypatch.setattr("checker.pipelines.judging.build", lambda *args, **kwargs: judging)
    return judging


def write(path, rows) -> str:  # type: ignore[no-untyped-def]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def app_():  # type: ignore[no-untyped-def]
    from checker.cli import app

    return app


def test_roc_auc_matches_a_hand_computed_value() -> None:
    # Positives 0.9, 0.4; negatives 0.6, 0.1: of 4 positive/negative pairs, 3 are ordered right.
    assert eval_files.roc_auc([True, True, False, False], [0.9, 0.4, 0.6, 0.1]) == 0.75
    # A tie counts half: positives 0.5, 0.8; negatives 0.5, 0.2 -> (0.5 + 1 + 1 + 1) / 4.
    assert eval_files.roc_auc([True, True, False, False], [0.5, 0.8, 0.5, 0.2]) == 0.875


def test_balanced_accuracy_weighs_both_classes_equally() -> None:
    metrics = eval_files.binary_metrics([True, False, False, False], [True, True, False, False], [0.9, 0.8, 0.2, 0.1])
    assert metrics["balanced_accuracy"] == round((1 + 2 / 3) / 2, 3) and metrics["roc_auc"] == 1.0


def test_a_binary_dataset_file_gets_balanced_accuracy_and_auc(word_judge, tmp_path) -> None:
    rows = [
        {"premise_or_evidence": "Troops left Kyiv on Monday. Talks went on.", "claim": "Troops left Kyiv.", "label": "supported"},
        {"premise_or_evidence": "Troops left Kyiv on Monday.", "claim": "Troops stayed in Chernihiv.", "label": "inconsistent"},
        {"premise_or_evidence": "The mayor spoke.", "claim": "The mayor spoke twice. The mayor resigned.", "label": "inconsistent"},
        {"premise_or_evidence": "Prices rose in March.", "claim": "Prices rose.", "label": "supported"},
    ]
    result = runner.invoke(app_(), ["eval", write(tmp_path / "mine.jsonl", rows), "--no-save", "--format", "json"])
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)
    metrics = report["metrics"]
    assert metrics["mode"] == "binary" and report["cases"] == 4
    assert metrics["balanced_accuracy"] == 1.0 and metrics["roc_auc"] is not None


def test_a_claim_passage_file_gets_the_three_way_metrics(word_judge, tmp_path) -> None:
    rows = [
        {"claim": "Troops left Kyiv.", "passage": "Troops left Kyiv on Monday.", "label": "agree"},
        {
            "claim": "Troops did not leave Kyiv.",
            "passage": "Troops left Kyiv on Monday.",
            "label": "contradict",
            "claim_date": "2022-03-29",
            "passage_date": "2022-03-29",
        },
        {"claim": "The mayor resigned.", "passage": "Troops left Kyiv on Monday.", "label": "not_addressed"},
    ]
    result = runner.invoke(app_(), ["eval", write(tmp_path / "cp.jsonl", rows), "--no-save", "--format", "json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)[0]["metrics"]
    assert metrics["mode"] == "three-way" and metrics["accuracy"] == 1.0 and "per_label" in metrics


def test_limit_samples_the_same_rows_every_time() -> None:
    rows = [{"n": i} for i in range(100)]
    first, second = eval_files.sample(rows, 10), eval_files.sample(rows, 10)
    assert first == second and len(first) == 10 and first == sorted(first, key=lambda r: r["n"])
    assert eval_files.sample(rows, 500) == rows


def test_a_malformed_line_is_one_error_naming_the_line_and_the_field(word_judge, tmp_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"premise_or_evidence": "x y z", "claim": "x", "label": "supported"})
        + "\n"
        + json.dumps({"premise_or_evidence": "x y z", "claim": "", "label": "supported"})
        + "\n"
    )
    result = runner.invoke(app_(), ["eval", str(path), "--no-save"])
    assert result.exit_code == 2 and "bad.jsonl:2: the field 'claim' is missing or empty" in result.stderr
    path.write_text(json.dumps({"premise_or_evidence": "x y z", "claim": "x", "label": "true"}) + "\n")
    with pytest.raises(InputError, match=r"bad\.jsonl:1: the field 'label' is 'true'"):
        eval_files.read_rows(path)
    path.write_text("{not json\n")
    with pytest.raises(InputError, match=r"bad\.jsonl:1: not valid JSON"):
        eval_files.read_rows(path)


def test_saved_results_are_named_after_the_file_content_and_listed_apart(word_judge, tmp_path, monkeypatch) -> None:
    from checker.evaluation import evals, scoreboard

    monkeypatch.setattr(evals, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(evals, "SCOREBOARD", tmp_path / "SCOREBOARD.md")
    monkeypatch.setattr(evals, "ROOT", tmp_path)
    path = write(
        tmp_path / "mine.jsonl",
        [
            {"premise_or_evidence": "Troops left Kyiv.", "claim": "Troops left Kyiv.", "label": "supported"},
            {"premise_or_evidence": "Troops left.", "claim": "Prices rose.", "label": "inconsistent"},
        ],
    )
    report = evals.run_file(tmp_path / "mine.jsonl", word_judge)
    saved = scoreboard.save(report, tmp_path / "results")
    assert saved.parent.name == f"mine-{eval_files.file_sha(tmp_path / 'mine.jsonl')}"
    assert scoreboard.load_results(tmp_path / "results") == []  # never mixed with the project's suites
    board = scoreboard.write_scoreboard(tmp_path / "results", tmp_path / "SCOREBOARD.md").read_text()
    assert "## Your own eval files" in board and "mine-" in board
    assert path


def test_eval_results_go_where_the_settings_say(word_judge, tmp_path, monkeypatch) -> None:
    # An installed wheel has no evals/ folder of its own: CHECKER_EVAL_RESULTS names one.
    path = write(tmp_path / "mine.jsonl", [{"premise_or_evidence": "Troops left Kyiv.", "claim": "Troops left Kyiv.", "label": "supported"}])
    monkeypatch.setenv("CHECKER_EVAL_RESULTS", str(tmp_path / "elsewhere"))
    result = runner.invoke(app_(), ["eval", path, "--save"])
    assert result.exit_code == 0, result.output
    saved = list((tmp_path / "elsewhere").glob("external/mine-*/*.json"))
    assert len(saved) == 1 and "## Your own eval files" in (tmp_path / "elsewhere" / "SCOREBOARD.md").read_text()
