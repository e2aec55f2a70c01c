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
    cli_model["model"] = ScriptedModel(sensible, model="gpt-4o-mini", endpoint="https://api.openai.com/v1")  # a model with a listed price
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


AXIOS = "2022-03-29-axios-repost-relocation.md"  # 25 checkable sentences: cut at 12 claims


@pytest.mark.slow
def test_articles_cut_at_max_claims_do_not_set_the_rate_and_answers_are_priced_as_they_were_paid(tmp_path: Path) -> None:
    """A model that claims every sentence, read first on one long article (cut at --max-claims)
    and one short one: the rate for the new articles is the short one's, since the long one's
    count says only where the cap was; and the extraction answers are priced per checkable
    sentence as the two already read were billed (the long one's answer wrote more claims than
    were kept), so the real run's output tokens land within a fifth of the estimate."""
    from checker.claims.offline_claims import SentenceExtractor
    from checker.pipelines.ingest import read_articles
    from tests.stub_llm import StubLLM

    first = tmp_path / "first"
    first.mkdir()
    (first / "long.md").write_text((CORPUS / AXIOS).read_text(encoding="utf-8"), encoding="utf-8")
    short = "\n".join(
        [
            "---",
            "outlet: Wire Desk",
            "published: 2022-04-07",
            "---",
            "The Pentagon said on Wednesday that Russian forces had left the area around Kyiv.",
            "Officials said the troops were regrouping in Belarus before moving to the east.",
            "A senior defense official said the withdrawal from Chernihiv also appeared complete.",
            "Ukrainian officials said they would keep their guard up around the capital.",
        ]
    )
    (first / "short.md").write_text(short + "\n", encoding="utf-8")
    everything = tmp_path / "everything"  # with first/: the five sample articles and the short one
    everything.mkdir()
    for path in CORPUS.glob("*.md"):
        if path.name != AXIOS:
            (everything / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")

    cap, store = 12, tmp_path / "store"
    with StubLLM(count_tokens=True, claims_per_article=None) as stub:
        llm = ["--base-url", stub.base_url, "--model", "stub", "--store", str(store), "--max-claims", str(cap)]
        assert runner.invoke(app_(), ["report", str(first), "--out", str(tmp_path / "first.json"), *llm]).exit_code == 0
        db = sqlite3.connect(store / "results.sqlite3")
        paid = dict(db.execute("SELECT schema, SUM(output_tokens) FROM llm_calls GROUP BY schema").fetchall())
        per_verdict = db.execute("SELECT AVG(output_tokens) FROM llm_calls WHERE schema = 'JudgeAnswer'").fetchone()[0]
        db.close()
        dry = runner.invoke(app_(), ["report", str(first), str(everything), "--dry-run", "--format", "json", *llm])
        assert dry.exit_code == 0, dry.output
        estimate = json.loads(dry.stdout)
        out = tmp_path / "report.json"
        assert runner.invoke(app_(), ["report", str(first), str(everything), "--out", str(out), *llm]).exit_code == 0
        usage = json.loads(out.read_text())["usage"]

    articles, _ = read_articles([first, everything], Settings(store=store))
    sentences = {a.id: len(SentenceExtractor(max_claims=10**6).extract(a)[0]) for a in articles}
    db = sqlite3.connect(store / "results.sqlite3")
    stored = dict(db.execute("SELECT article_id, json_array_length(claims) FROM claims").fetchall())
    db.close()
    read = {a.id for a in articles if Path(a.source).parent == first}
    long_id, short_id = sorted(read, key=lambda i: sentences[i], reverse=True)
    assert stored[long_id] == cap > stored[short_id]  # the long one was cut, the short one was not
    rate = stored[short_id] / sentences[short_id]
    new = [a.id for a in articles if a.id not in read]
    assert estimate["claims_estimated"] == sum(min(cap, sentences[i], round(rate * sentences[i])) for i in new)
    assert any(f"the 1 article of this run this extractor has read with fewer than {cap} claims" in n for n in estimate["notes"])
    all_read = sum(stored[i] for i in read) / sum(sentences[i] for i in read)  # what the rate was before
    assert estimate["claims_estimated"] != sum(min(cap, sentences[i], round(all_read * sentences[i])) for i in new)
    # Output: the new articles' answers at what the first two cost per checkable sentence, and
    # each verdict as long as the stored ones.
    per_sentence = paid["ExtractedClaims"] / sum(sentences[i] for i in read)
    expected = sum(round(per_sentence * sentences[i]) for i in new) + estimate["judge_calls"] * round(per_verdict)
    assert estimate["output_tokens"] == expected
    assert 0.8 <= usage["output_tokens"] / estimate["output_tokens"] <= 1.2, (usage, estimate)


@pytest.mark.slow
def test_when_every_article_read_was_cut_the_note_says_so(tmp_path: Path) -> None:
    """The rate then comes from articles cut at the cap (nothing else was read): the note must
    not call them articles "with fewer than" the cap claims, and says more may come."""
    from tests.stub_llm import StubLLM

    first = tmp_path / "first"  # two outlets (a report needs two), each with more sentences than the cap
    first.mkdir()
    for name in (AXIOS, "2022-03-29-yahoo-pentagon-casts-doubt.md"):
        (first / name).write_text((CORPUS / name).read_text(encoding="utf-8"), encoding="utf-8")
    cap, store = 3, tmp_path / "store"
    with StubLLM(claims_per_article=None) as stub:
        llm = ["--base-url", stub.base_url, "--model", "stub", "--store", str(store), "--max-claims", str(cap)]
        assert runner.invoke(app_(), ["report", str(first), "--out", str(tmp_path / "first.json"), *llm]).exit_code == 0
        dry = runner.invoke(app_(), ["report", str(first), str(CORPUS), "--dry-run", "--format", "json", *llm])
    assert dry.exit_code == 0, dry.output
    notes = [n for n in json.loads(dry.stdout)["notes"] if "per checkable sentence" in n]
    assert notes and f"(each cut at {cap} claims: more may come)" in notes[0] and "fewer than" not in notes[0]


def test_extraction_answers_are_priced_per_claim_kept_by_that_model(tmp_path: Path) -> None:
    """Where none of a run's articles has been read, a new article's answer costs what this
    model's extraction answers cost per claim kept in the store, counting no other model."""
    from checker.storage.sqlite_results import SQLiteResults

    results = SQLiteResults(tmp_path / "r.db")
    assert results.extraction_tokens_per_claim("m", "ExtractedClaims") is None
    for key, model, tokens in [("a", "m", 400), ("b", "m", 200), ("c", "other", 5000)]:
        results.store_call(key, model, "http://127.0.0.1:9/v1", None, "{}", 100, tokens, schema="ExtractedClaims")
    results.store_call("d", "m", "http://127.0.0.1:9/v1", None, "{}", 100, 60, schema="JudgeAnswer")
    results.store_claims("x", "sha-x", "llm:m:prompt:20", [{"id": str(i)} for i in range(4)], 0)
    results.store_claims("y", "sha-y", "llm:m:prompt:5", [{"id": str(i)} for i in range(2)], 0)
    results.store_claims("z", "sha-z", "llm:mm:prompt:20", [{"id": str(i)} for i in range(50)], 0)  # a model named alike
    assert results.extraction_tokens_per_claim("m", "ExtractedClaims") == 600 / 6
