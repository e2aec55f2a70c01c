"""The eval harness with a scripted model: metrics, result files, scoreboard, CLI errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from checker.claims.llm_claims import LLMExtractor
from checker.config import Settings
from checker.evaluation import evals, scoreboard
from checker.evaluation.metrics import label_metrics
from checker.judges.llm_judge import LLMJudge
from checker.llm.asking import Asker
from checker.pipelines.judging import Judging
from tests.fakes import ScriptedModel, cite, claim, fenced, verdict


def test_label_metrics_by_hand() -> None:
    pairs = [("agree", "agree"), ("agree", "contradict"), ("contradict", "contradict"), ("not_addressed", "unscored")]
    m = label_metrics(pairs)
    assert m["accuracy"] == 0.5
    assert m["per_label"]["agree"] == {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2}
    assert m["per_label"]["contradict"] == {"precision": 0.5, "recall": 1.0, "f1": 0.667, "support": 1}
    assert m["per_label"]["not_addressed"]["recall"] == 0.0
    assert m["macro_f1"] == round((0.667 + 0.667 + 0.0) / 3, 3)
    assert m["confusion"]["not_addressed"]["unscored"] == 1 and m["unscored_rate"] == 0.25


def test_the_suites_are_well_formed() -> None:
    cases = evals.load_suite("claim_passage")
    assert len(cases) >= 80 and len({c["id"] for c in cases}) == len(cases)
    assert {c["label"] for c in cases} == {"agree", "contradict", "superseded", "not_addressed"}
    tags = {t for c in cases for t in c["tags"]}
    assert {"number", "negation", "hedging", "paraphrase", "attribution", "withdrawal", "time", "injection"} <= tags
    from checker.articles.loading import load_file

    corpus = "\n".join(load_file(p, 10**7).articles[0].text for p in (evals.ROOT / "corpus").glob("*.md"))
    for case in cases:
        assert case["rationale"] and case["passage"] in corpus, case["id"]  # passages are real corpus text
        if case["label"] == "superseded":
            assert case["claim_date"] != case["passage_date"], case["id"]
    assert all(c["must"] for c in evals.load_suite("extraction"))
    assert all(c["conflicts"] for c in evals.load_suite("article_pairs"))


def oracle_judging() -> Judging:
    """A scripted model that answers every claim_passage case with its expected label."""
    cases = {c["claim"]: c for c in evals.load_suite("claim_passage")}

    def respond(messages, schema):
        case = cases[fenced(messages, "CLAIM")]
        return verdict(case["label"], [1] if case["label"] != "not_addressed" else [], "oracle", 0.9)

    asker = Asker(ScriptedModel(respond, model="oracle"), None)
    judge = LLMJudge(asker)
    extractor = LLMExtractor(asker)
    return Judging("llm", extractor, judge, asker, "oracle", "fake://", {"judge_claim": judge.prompt.sha, "extract_claims": extractor.prompt.sha})


def test_a_perfect_judge_scores_one_and_results_are_saved(tmp_path: Path) -> None:
    report = evals.run_suite("claim_passage", oracle_judging(), Settings())
    assert report.metrics["accuracy"] == 1.0 and report.metrics["macro_f1"] == 1.0
    assert report.metrics["llm_calls"] == report.cases and report.metrics["unscored_rate"] == 0.0
    path = scoreboard.save(report, tmp_path)
    assert path.parent.name == "claim_passage" and path.name.startswith("llm__oracle__")
    assert report.prompts["judge_claim"] in path.name
    board = scoreboard.scoreboard(scoreboard.load_results(tmp_path))
    assert "## claim_passage" in board and "| llm | oracle |" in board and "| 1.0 | 1.0 |" in board


def test_a_judge_that_always_agrees_is_scored_as_such() -> None:
    asker = Asker(ScriptedModel(lambda m, s: verdict("agree", confidence=0.5)), None)
    judging = Judging("llm", LLMExtractor(asker), LLMJudge(asker), asker, "yes-man", None, {})
    cases = evals.load_suite("claim_passage")
    report = evals.run_suite("claim_passage", judging, Settings(), cases)
    share = sum(c["label"] == "agree" for c in cases) / len(cases)
    assert report.metrics["accuracy"] == round(share, 3)
    assert report.metrics["per_label"]["agree"]["recall"] == 1.0
    assert report.metrics["per_label"]["contradict"]["recall"] == 0.0


def test_extraction_matching_by_meaning(fake_embeddings) -> None:
    case = evals.load_suite("extraction")[0]

    def respond(messages, schema):
        return {
            "claims": [
                claim("Russian forces have fully withdrawn from Kyiv and Chernihiv.", cite(messages, "ARTICLE", "fully withdrawn"), "the Pentagon"),
                claim("Source link", [1], "x"),
            ]
        }

    asker = Asker(ScriptedModel(respond), None)
    results, metrics = evals.run_extraction([case], Judging("llm", LLMExtractor(asker), LLMJudge(asker), asker, "m", None, {}))
    assert metrics["required_recall"] == 0.5  # one of the two required claims
    assert metrics["cases_with_forbidden_claims"] == 1 and "Source link" in results[0].error


def test_cli_rejects_an_unknown_suite() -> None:
    from checker.cli import app

    result = CliRunner().invoke(app, ["eval", "nonsense", "--judge", "llm"])
    assert result.exit_code == 2 and "no eval suite named 'nonsense'" in result.stderr


def test_each_scoreboard_row_names_the_command_that_produces_it() -> None:
    from checker.evaluation.records import SuiteResult

    def row(judge: str, model: str, structured: str | None = "tools", claims_model: str | None = None, suite: str = "claim_passage") -> str:
        result = SuiteResult(
            suite=suite,
            judge=judge,
            model=model,
            endpoint=None,
            extract="llm" if claims_model else None,
            structured_output=structured,
            claims_model=claims_model,
            cases=1,
            metrics={},
            results=[],
            recorded_at="2026-12-02T00:00:00",
        )
        return scoreboard.command_of(result)

    assert row("llm", "gemma-3-270m") == "make evals-record"
    assert row("llm", "qwen2.5-coder-1.5b-instruct") == "make evals-record MODEL=qwen-1.5b"
    assert row("llm", "qwen2.5-coder-1.5b-instruct", "json_object").startswith(
        "CHECKER_LOCAL_MODEL=qwen-1.5b python -m tests.llm_server --serve 8080; "
    )
    assert row("llm", "qwen2.5-coder-1.5b-instruct", "json_object").endswith("--structured-output json_object")
    assert row("cascade", "qwen2.5-coder-1.5b-instruct") == "SAVE_EVAL_RESULTS=1 pytest tests/test_offline_evals.py -k 'cascade and qwen-1.5b'"
    assert row("nli", "nli-minilm", None, "gemma-3-270m", "article_pairs") == (
        "SAVE_EVAL_RESULTS=1 pytest tests/test_offline_evals.py -k 'llm_claims and gemma-270m'"
    )
    assert row("nli", "nli-minilm", None) == "checker eval claim_passage --judge nli"
    assert row("llm", "gpt-4o-mini", "json_schema") == "checker eval claim_passage --judge llm --model gpt-4o-mini --structured-output json_schema"
    # and the generated scoreboard carries them
    assert "| `make evals-record MODEL=qwen-1.5b` |" in scoreboard.scoreboard(scoreboard.load_results())
