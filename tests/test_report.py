"""`checker report`: pairing by meaning, incremental and resumable judging, budgets, rendering."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.claims.llm_claims import LLMExtractor
from checker.claims.offline_claims import SentenceExtractor
from checker.cli import app
from checker.config import Settings
from checker.judges.llm_judge import LLMJudge
from checker.llm.asking import Asker, Budget
from checker.pipelines import events as analysis
from checker.pipelines.ingest import ingest
from checker.pipelines.judging import Judging
from checker.pipelines.report import ReportOptions, build_report
from checker.pipelines.report_models import ClaimPair, ReportClaim
from checker.render.report import report_html, report_markdown
from checker.schemas import Verdict
from checker.storage.results import open_results
from checker.storage.sqlite_results import SQLiteResults
from checker.storage.store import open_store
from tests.conftest import CORPUS
from tests.fakes import KeywordJudge, ScriptedModel, claim, sentences, verdict
from tests.stub_llm import StubLLM

runner = CliRunner()
NEW_ARTICLE = """---
outlet: Wire Desk
title: Pentagon says Russian troops have left the Kyiv region
date: 2022-04-07
---
Russian forces have fully withdrawn from the area around Kyiv, a senior Pentagon official said on Thursday.
The official said the Pentagon has not seen a repositioning of troops toward the capital since last week.
"""


# -- events, conflicts, matrix: pure functions ---------------------------------------------


def _claim(cid: str, outlet: str, day: int) -> ReportClaim:
    return ReportClaim(
        id=cid,
        article_id=f"art-{outlet}",
        outlet=outlet,
        published=dt.date(2022, 4, day),
        text=f"claim {cid}",
        speaker=outlet,
        kind="event",
        start=0,
        end=5,
    )


def _pair(a: str, b: str, similarity: float, label: str | None, confidence: float = 0.8) -> ClaimPair:
    verdict = Verdict(label=label, judge="t", confidence=confidence) if label else None
    return ClaimPair(id=f"{a}-{b}", earlier=a, later=b, similarity=similarity, verdict=verdict)


def test_events_join_close_claims_and_keep_loose_pairs_between_events() -> None:
    claims = {c.id: c for c in [_claim("a1", "A", 1), _claim("b1", "B", 2), _claim("c1", "C", 3), _claim("a2", "A", 1)]}
    pairs = [_pair("a1", "b1", 0.8, "agree"), _pair("b1", "c1", 0.7, "contradict"), _pair("a2", "c1", 0.52, "agree")]
    events = analysis.group_events(claims, pairs)
    assert len(events) == 1
    assert events[0].claims == ["a1", "b1", "c1"]  # oldest report first
    assert events[0].outlets == ["A", "B", "C"]
    assert events[0].counts == {"agree": 1, "contradict": 1}
    assert pairs[2].event is None  # below the event threshold


def test_event_size_is_capped_so_loose_links_do_not_chain_everything() -> None:
    claims = {f"c{i}": _claim(f"c{i}", f"O{i % 2}", 1) for i in range(30)}
    pairs = [_pair(f"c{i}", f"c{i + 1}", 0.9, "agree") for i in range(29)]
    events = analysis.group_events(claims, pairs, cap=12)
    assert max(len(e.claims) for e in events) <= 12
    assert sum(len(e.claims) for e in events) == 30


def test_conflicts_rank_by_coverage_times_confidence_and_matrix_counts_labels() -> None:
    claims = {c.id: c for c in [_claim("a1", "A", 1), _claim("b1", "B", 2), _claim("c1", "C", 3), _claim("a2", "A", 1), _claim("b2", "B", 2)]}
    pairs = [
        _pair("a1", "b1", 0.9, "contradict", 0.8),
        _pair("b1", "c1", 0.9, "agree"),
        _pair("a2", "b2", 0.9, "contradict", 0.95),
        _pair("a1", "c1", 0.9, "superseded", 0.9),
    ]
    events = analysis.group_events(claims, pairs)
    conflicts = analysis.rank_conflicts(pairs, events, outlets=3)
    # The three-outlet event outranks the two-outlet one despite lower confidence.
    assert [c.pair for c in conflicts] == ["a1-c1", "a1-b1", "a2-b2"]
    assert conflicts[0].importance == 1.0 and conflicts[-1].importance == pytest.approx(2 / 3, abs=1e-3)
    cells = {(c.a, c.b): c for c in analysis.outlet_matrix(claims, pairs)}
    # Counts always; a share only from MIN_DECIDED (3) decided pairs: two contradictions or one
    # agreement is too little to call two outlets 0% or 100% in agreement.
    assert cells[("A", "B")].counts["contradict"] == 2 and cells[("A", "B")].decided == 2 and cells[("A", "B")].agreement is None
    assert cells[("B", "C")].decided == 1 and cells[("B", "C")].agreement is None
    assert cells[("A", "C")].agreement is None and cells[("A", "C")].counts["superseded"] == 1
    more = [*pairs, _pair("a1", "b2", 0.9, "agree"), _pair("a2", "b1", 0.9, "contradict", 0.7)]
    cells = {(c.a, c.b): c for c in analysis.outlet_matrix(claims, more)}
    assert cells[("A", "B")].decided == 4 and cells[("A", "B")].agreement == 0.25


# -- the pipeline on the real corpus ----------------------------------------------------------


def _judging(judge) -> Judging:  # type: ignore[no-untyped-def]
    return Judging("llm", SentenceExtractor(20), judge, None, "keywords", None, {})


def _report(folder: Path, store_dir: Path, judge, progress=None, **options):  # type: ignore[no-untyped-def]
    settings = Settings(store=store_dir)
    store = open_store(settings.store, None, settings.collection_prefix)
    outcome = ingest([folder], store, settings)
    articles = [s.article for s in store.get_articles([o.article_id for o in outcome.outcomes if o.article_id]).values()]
    results = open_results(settings.results_location)
    return build_report(articles, store, _judging(judge), results, ReportOptions(**options), progress=progress)


@pytest.mark.slow
def test_report_pairs_claims_across_outlets_linearly_and_finds_the_seed_pair(tmp_path: Path) -> None:
    judge = KeywordJudge()
    ticks: list[tuple[str, int, int]] = []
    report = _report(CORPUS, tmp_path / "store", judge, progress=lambda *tick: ticks.append(tick), neighbours=3)
    c = report.coverage
    # The progress bar hears of both stages, with totals, up to the end of each.
    assert ("claims", 5, 5) in ticks and ("verdicts", c.candidate_pairs, c.candidate_pairs) in ticks
    assert c.articles == 5 and c.claims > 50
    # At most k pairs per claim (each pair found from either end): linear, not quadratic.
    assert 0 < c.candidate_pairs <= 3 * c.claims < c.cross_outlet_pairs
    assert c.judged == c.candidate_pairs == len(judge.calls) and c.skipped == c.cross_outlet_pairs - c.candidate_pairs
    claims = {x.id: x for x in report.claims}
    for pair in report.pairs:
        assert claims[pair.earlier].outlet != claims[pair.later].outlet
        assert (claims[pair.earlier].published or dt.date.max) <= (claims[pair.later].published or dt.date.max)
    seed = [p for p in report.pairs if "relocation" in claims[p.earlier].text and "fully withdrawn" in claims[p.later].text]
    assert seed and seed[0].verdict.label == "superseded"
    assert seed[0].verdict.quote == "fully withdrawn" and claims[seed[0].later].outlet == "eSocialNews"
    assert any(conflict.pair == seed[0].id for conflict in report.conflicts)


@pytest.mark.slow
def test_a_rerun_judges_nothing_and_a_new_article_only_its_own_pairs(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    shutil.copytree(CORPUS, corpus)
    first = _report(corpus, tmp_path / "store", KeywordJudge())

    again_judge = KeywordJudge()
    again = _report(corpus, tmp_path / "store", again_judge)
    assert again_judge.calls == [] and again.coverage.reused == again.coverage.judged == first.coverage.judged

    (corpus / "wire-2022-04-07.md").write_text(NEW_ARTICLE, encoding="utf-8")
    grown_judge = KeywordJudge()
    grown = _report(corpus, tmp_path / "store", grown_judge)
    new_claims = {c.id for c in grown.claims if c.outlet == "Wire Desk"}
    new_article = next(c.article_id for c in grown.claims if c.outlet == "Wire Desk")
    assert new_claims and grown_judge.calls
    assert all(claim in new_claims or other == new_article for claim, other in grown_judge.calls)
    assert len(grown_judge.calls) == grown.coverage.judged - grown.coverage.reused
    # Nothing judged before is lost, even where a new claim pushed it out of the k nearest.
    assert {p.id for p in first.pairs} <= {p.id for p in grown.pairs}


@pytest.mark.slow
def test_a_killed_report_resumes_without_repeating_calls(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        _report(CORPUS, tmp_path / "store", KeywordJudge(interrupt_after=10), concurrency=1)
    resumed_judge = KeywordJudge()
    resumed = _report(CORPUS, tmp_path / "store", resumed_judge, concurrency=1)
    assert resumed.coverage.reused == 10
    assert len(resumed_judge.calls) == resumed.coverage.candidate_pairs - 10


def _llm_answers(messages, schema):  # type: ignore[no-untyped-def]
    if schema.__name__ == "ExtractedClaims":
        long = [(n, text) for n, text in sentences(messages, "ARTICLE").items() if len(text) >= 60][:4]
        return {"claims": [claim(text, [n]) for n, text in long]}
    return verdict("agree")


@pytest.mark.slow
def test_max_calls_stops_cleanly_with_a_partial_report_and_a_rerun_finishes_it(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store")
    store = open_store(settings.store, None, settings.collection_prefix)
    ingest([CORPUS], store, settings)
    articles = [s.article for s in store.get_articles([a.id for a in store.articles()]).values()]
    results = open_results(settings.results_location)

    def judging(model: ScriptedModel, max_calls: int | None) -> Judging:
        asker = Asker(model, results, budget=Budget(max_calls=max_calls))
        return Judging("llm", LLMExtractor(asker), LLMJudge(asker), asker, model.model, None, {})

    limited = ScriptedModel(_llm_answers)
    partial = build_report(articles, store, judging(limited, 8), results, ReportOptions(concurrency=3))
    assert len(limited.requests) == 8  # never overshoots, whatever the concurrency
    assert partial.partial and partial.coverage.stopped == "--max-calls 8 reached"
    assert partial.coverage.judged == 8 - limited.calls("ExtractedClaims") > 0
    assert partial.coverage.missing == partial.coverage.candidate_pairs - partial.coverage.judged
    assert all(p.missing and "--max-calls 8" in p.missing for p in partial.pairs if p.verdict is None)
    assert "Partial report" in report_markdown(partial) and 'id="partial"' in report_html(partial)

    rest = ScriptedModel(_llm_answers)
    full = build_report(articles, store, judging(rest, None), results, ReportOptions(concurrency=3))
    assert not full.partial and full.coverage.judged == full.coverage.candidate_pairs
    assert rest.calls("ExtractedClaims") == 0  # claims were extracted once
    assert rest.calls("JudgeAnswer") == partial.coverage.missing


# -- rendering ------------------------------------------------------------------------------


@pytest.mark.slow
def test_html_report_escapes_article_text_and_every_quote_link_has_a_target(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    shutil.copytree(CORPUS, corpus)
    # Markup in the file is rendered away at ingest (a reader never sees it), but characters a
    # reader does see ("&lt;script&gt;" shows as "<script>") reach the report and must stay text.
    hostile = NEW_ARTICLE.replace(
        "said on Thursday.", 'said on Thursday. <b>Note</b>: &lt;script&gt;document.title="pwned"&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;'
    )
    (corpus / "wire.md").write_text(hostile, encoding="utf-8")
    report = _report(corpus, tmp_path / "store", KeywordJudge())
    page = report_html(report)
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert "default-src 'none'" in page  # and the page forbids scripts anyway
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing loaded from the network
    targets = set(re.findall(r'id="([^"]+)"', page))
    links = re.findall(r'href="#([^"]+)"', page)
    assert links and all(link in targets for link in links)
    markdown = report_markdown(report)
    assert "<script>" not in markdown and "Wire Desk" in markdown
    # A clause claim is quoted as its own words, not as its whole sentence.
    judged = {p.earlier for p in report.pairs}
    clause = next(c for c in report.claims if c.id in judged and len(c.text) < c.end - c.start)
    assert f'<span class="said">{html.escape(clause.text, quote=False)}</span>' in page


# -- the command line -------------------------------------------------------------------------


def _one_line_error(result, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert all(f in lines[0] for f in fragments), lines[0]
    assert "Traceback" not in result.output


def test_cli_report_bad_input_is_one_line(tmp_path: Path) -> None:
    _one_line_error(runner.invoke(app, ["report", str(tmp_path / "nowhere")]), "nowhere: no such file or folder")
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(next(CORPUS.glob("*rt-*")), one)
    _one_line_error(runner.invoke(app, ["report", str(one)]), "from one outlet", "add articles from another outlet")
    # Checked before any work, so no paid call is made for a report that cannot be written.
    _one_line_error(runner.invoke(app, ["report", str(CORPUS), "-o", str(tmp_path / "nope" / "r.html")]), "--out", "does not exist")


@pytest.mark.slow
def test_cli_report_over_http_budget_then_resume(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    with StubLLM() as stub:
        common = ["report", str(CORPUS), "--store", store, "--base-url", stub.base_url, "--model", "stub", "--judge", "llm"]
        unknown_price = runner.invoke(app, [*common, "--budget", "0.5"])
        _one_line_error(unknown_price, "--budget", "runs on this machine", "--max-calls")
        partial = runner.invoke(app, [*common, "--max-calls", "7", "-o", str(tmp_path / "r.json")])
        assert partial.exit_code == 0, partial.output
        assert len(stub.requests) == 7 and "partial report" in partial.stderr
        data = json.loads((tmp_path / "r.json").read_text())
        assert data["schema_version"] == "checker.report/1" and data["coverage"]["stopped"] == "--max-calls 7 reached"
        missing = data["coverage"]["missing"]
        full = runner.invoke(app, [*common, "-o", str(tmp_path / "r.html")])
        assert full.exit_code == 0, full.output
        assert len(stub.requests) == 7 + missing
        assert "<svg" in (tmp_path / "r.html").read_text()


@pytest.mark.slow
@pytest.mark.live
def test_report_is_the_same_through_a_chroma_server(tmp_path: Path) -> None:
    from tests.servers import chroma_command, free_port, running

    local = runner.invoke(app, ["report", str(CORPUS), "--judge", "nli", "--store", str(tmp_path / "local"), "-f", "json"])
    assert local.exit_code == 0, local.output
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(chroma_command(tmp_path / "server-data", port), f"{url}/api/v2/heartbeat", tmp_path / "chroma.log"):
        served = runner.invoke(app, ["report", str(CORPUS), "--judge", "nli", "--store", str(tmp_path / "team"), "--chroma-url", url, "-f", "json"])
        assert served.exit_code == 0, served.output
    mine, theirs = json.loads(local.stdout), json.loads(served.stdout)
    assert theirs["coverage"]["claims"] == mine["coverage"]["claims"] > 0
    assert {(p["id"], p["verdict"]["label"]) for p in theirs["pairs"]} == {(p["id"], p["verdict"]["label"]) for p in mine["pairs"]}


def test_budget_refuses_calls_once_the_estimated_cost_is_spent(tmp_path: Path) -> None:
    from checker.judges.llm_judge import JudgeAnswer
    from checker.llm.asking import BudgetReached

    model = ScriptedModel(
        lambda messages, schema: verdict("agree", confidence=0.5), model="gpt-4o-mini", endpoint="https://api.openai.com/v1"
    )  # 100 tokens in, 20 out per call: $0.000027 at its price
    asker = Asker(model, SQLiteResults(tmp_path / "r.sqlite3"), budget=Budget(max_cost_usd=0.0001))
    answered = 0
    with pytest.raises(BudgetReached, match="--budget 0.0001 reached"):
        for i in range(10):
            asker.ask([("system", "s"), ("user", f"question {i}")], JudgeAnswer)
            answered += 1
    assert answered == len(model.requests) == 4  # the fifth would start past the budget
    assert asker.ask([("system", "s"), ("user", "question 0")], JudgeAnswer).value is not None  # cached: free


@pytest.mark.slow
def test_a_corrected_date_rejudges_only_that_articles_pairs(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    shutil.copytree(CORPUS, corpus)
    first = _report(corpus, tmp_path / "store", KeywordJudge())
    path = next(corpus.glob("*esocialnews*"))
    path.write_text(path.read_text(encoding="utf-8").replace("published: 2022-04-06", "published: 2022-04-07"), encoding="utf-8")
    judge = KeywordJudge()
    again = _report(corpus, tmp_path / "store", judge)
    moved = {c.id for c in again.claims if c.outlet == "eSocialNews"}
    article = next(c.article_id for c in again.claims if c.outlet == "eSocialNews")
    assert judge.calls and all(claim in moved or other == article for claim, other in judge.calls)
    assert len(judge.calls) == sum(1 for p in first.pairs if p.earlier in moved or p.later in moved)
