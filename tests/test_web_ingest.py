"""Articles from URLs and feeds, against a real HTTP server on 127.0.0.1 (tests/news_site.py):
the pages are the sample corpus in real-looking HTML, the feeds real RSS and Atom, the
faults the ones the web has. Nothing here reaches beyond loopback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.config import Settings
from checker.pipelines.workspace import Workspace
from checker.web.client import FetchError, PoliteClient, Politeness
from tests.news_site import COMMENT, COOKIE_BANNER, NAV, RELATED, WIRE, corpus_stories, serving

runner = CliRunner()
WITHDRAWN = "outlet/2022-04-06-esocialnews-fully-withdrawn.html"
DOUBT = "outlet/2022-03-29-yahoo-pentagon-casts-doubt.html"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True)
def quick_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    """No delay between requests and a 3 s budget a URL: the faults cost seconds, not minutes."""
    monkeypatch.setenv("CHECKER_FETCH_DELAY", "0")
    monkeypatch.setenv("CHECKER_FETCH_TIMEOUT", "3")


@pytest.fixture
def site():
    with serving() as running:
        running.hang_seconds = 8
        yield running


def stored(store: str = "s") -> list[dict]:
    return json.loads(invoke("articles", "--store", store, "--format", "json").stdout)


# -- the client, fault by fault ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("missing.html", "the server answered 404 Not Found"),
        ("loop.html", "more than 5 redirects"),
        ("report.pdf", "is a PDF (application/pdf), not an HTML page"),
        ("photo.jpg", "is an image (image/jpeg)"),
        ("huge.html", "over the 10 MB cap"),
        ("endless.html", "over the 10 MB cap"),
        ("private/secret.html", "robots.txt disallows checker"),
    ],
)
def test_each_fault_is_one_reason_naming_the_url(site, path: str, reason: str) -> None:
    with PoliteClient(Politeness(delay=0, timeout=3)) as client, pytest.raises(FetchError) as caught:
        client.fetch(f"{site.base}/{path}")
    line = caught.value.one_line()
    assert line.startswith(f"{site.base}/{path}: ") and reason in line and "\n" not in line


def test_a_hung_server_costs_at_most_the_timeout(site) -> None:
    started = time.monotonic()
    with PoliteClient(Politeness(delay=0, timeout=2)) as client, pytest.raises(FetchError, match="within 2 s"):
        client.fetch(f"{site.base}/hang.html")
    assert time.monotonic() - started < 3.5


def test_500_then_200_and_429_with_retry_after_are_retried(site) -> None:
    with PoliteClient(Politeness(delay=0, timeout=3)) as client:
        started = time.monotonic()
        assert client.fetch(f"{site.base}/busy.html").status == 200
        assert time.monotonic() - started >= 1.0  # Retry-After: 1 was honoured
        assert client.fetch(f"{site.base}/flaky.html").status == 200
    assert site.requests.count("/busy.html") == 2 and site.requests.count("/flaky.html") == 2


def test_a_long_retry_after_is_not_waited_for(site) -> None:
    with PoliteClient(Politeness(delay=0, timeout=3, max_retry_after=0.5)) as client, pytest.raises(FetchError, match="asks to wait 1 s"):
        client.fetch(f"{site.base}/busy.html")


def test_the_user_agent_names_checker_and_robots_can_be_ignored(site) -> None:
    with PoliteClient(Politeness(delay=0, robots=False)) as client:
        assert client.fetch(f"{site.base}/private/secret.html").status == 200
    from checker import __version__

    assert f"checker/{__version__}" in Politeness().user_agent


def test_requests_to_one_host_are_spaced_by_the_delay(site) -> None:
    with PoliteClient(Politeness(delay=0.4, robots=False)) as client:
        started = time.monotonic()
        for _ in range(3):
            client.fetch(f"{site.base}/{WITHDRAWN}")
    assert time.monotonic() - started >= 0.8


def test_other_schemes_are_refused(site) -> None:
    with PoliteClient() as client, pytest.raises(FetchError, match="not an http or https address"):
        client.fetch("ftp://127.0.0.1/x")


# -- pages as articles ------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_embeddings")
def test_a_feed_brings_every_article_clean_and_a_second_run_fetches_no_page_again(site) -> None:
    first = invoke("ingest", "--feed", f"{site.base}/feed.xml", "--store", "s")
    assert first.exit_code == 0, first.output
    assert "5 added" in first.stdout
    articles = {a["title"]: a for a in stored()}
    for story in corpus_stories():
        found = articles[story.title]
        assert found["outlet"] == story.outlet and found["published"] == story.published
        assert found["url"] == f"{site.base}/outlet/{story.slug}.html"
    space = Workspace(Settings(store=Path("s")))
    for summary in space.store.articles():
        text = space.store.get_article(summary.id).article.text
        for boilerplate in (COOKIE_BANNER, COMMENT, RELATED, NAV, "All rights reserved", "executed"):
            assert boilerplate not in text
    pages_before = site.page_requests()
    second = invoke("ingest", "--feed", f"{site.base}/feed.xml", "--store", "s")
    assert second.exit_code == 0, second.output
    assert site.page_requests() == pages_before  # no article page fetched again
    assert "has not changed" in second.stderr  # the feed itself answered 304


@pytest.mark.usefixtures("fake_embeddings")
def test_an_atom_feed_and_a_url_list_with_comments(site, tmp_path: Path) -> None:
    assert invoke("ingest", "--feed", f"{site.base}/atom.xml", "--store", "a").exit_code == 0
    assert len(stored("a")) == 5
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# two reports\n{site.base}/{WITHDRAWN}\n\n  {site.base}/{DOUBT}?utm_source=rss\n")
    result = invoke("ingest", "--urls", str(urls), "--store", "u")
    assert result.exit_code == 0, result.output
    assert {a["url"] for a in stored("u")} == {f"{site.base}/{WITHDRAWN}", f"{site.base}/{DOUBT}"}  # tracking parameter gone


@pytest.mark.usefixtures("fake_embeddings")
def test_faults_are_one_line_each_and_the_rest_is_ingested(site) -> None:
    bad = ["missing.html", "loop.html", "report.pdf", "huge.html", "hang.html", "index.html"]
    started = time.monotonic()
    result = invoke("ingest", f"{site.base}/{WITHDRAWN}", *[f"{site.base}/{b}" for b in bad], f"{site.base}/latin1.html", "--store", "s")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output + result.stderr
    for path in bad:
        lines = [line for line in result.stderr.splitlines() if f"{site.base}/{path}:" in line]
        assert len(lines) == 1, (path, result.stderr)
    assert {a["outlet"] for a in stored()} == {"eSocialNews", "Le Monde Diplomatique"}
    assert time.monotonic() - started < 12  # the hung page cost its 3 s, not more


@pytest.mark.usefixtures("fake_embeddings")
def test_latin1_without_a_charset_and_gzip_are_read_right(site) -> None:
    assert invoke("ingest", f"{site.base}/latin1.html", f"{site.base}/gzipped.html", "--store", "s").exit_code == 0
    space = Workspace(Settings(store=Path("s")))
    texts = {s.outlet: space.store.get_article(s.id).article.text for s in space.store.articles()}
    assert "repliées au nord" in texts["Le Monde Diplomatique"] and "Ã" not in texts["Le Monde Diplomatique"]
    assert "Pentagon" in texts["Yahoo News"]


@pytest.mark.usefixtures("fake_embeddings")
def test_only_failures_exit_non_zero_with_the_reasons(site) -> None:
    result = invoke("ingest", f"{site.base}/missing.html", f"{site.base}/report.pdf", "--store", "s")
    assert result.exit_code == 2
    assert "nothing could be ingested" in result.stderr and "404" in result.stderr


@pytest.mark.usefixtures("fake_embeddings")
def test_a_revised_page_is_a_new_version_and_an_unchanged_one_costs_a_304(site) -> None:
    url = f"{site.base}/{DOUBT}"
    assert "1 added" in invoke("ingest", url, "--store", "s").stdout
    assert "1 unchanged" in invoke("ingest", url, "--store", "s").stdout
    site.revised.add("2022-03-29-yahoo-pentagon-casts-doubt")
    assert "1 updated" in invoke("ingest", url, "--store", "s").stdout
    space = Workspace(Settings(store=Path("s")))
    (summary,) = space.store.articles()
    assert "Correction:" in space.store.get_article(summary.id).article.text
    assert space.results.revisions([summary.id]) == {summary.id: 2}
    archived = list((Path("s") / "pages").rglob("*.html.gz"))
    assert len(archived) == 2  # both versions kept as sent, by content


@pytest.mark.usefixtures("fake_embeddings")
def test_the_outlets_file_names_outlets_by_domain(tmp_path: Path) -> None:
    with serving(host="127.0.0.2") as other:
        names = tmp_path / "outlets.txt"
        names.write_text("# mine\n127.0.0.2 = Second Site\n")
        assert invoke("ingest", f"{other.base}/{WITHDRAWN}", "--outlets", str(names), "--store", "s").exit_code == 0
    assert [a["outlet"] for a in stored()] == ["Second Site"]


def test_a_bad_outlets_file_is_one_line(site, tmp_path: Path) -> None:
    names = tmp_path / "outlets.txt"
    names.write_text("just a name\n")
    result = invoke("ingest", f"{site.base}/{WITHDRAWN}", "--outlets", str(names), "--store", "s")
    assert result.exit_code == 2 and "outlets.txt:1: not a 'domain = Outlet name' line" in result.stderr


def test_another_scheme_is_refused_before_anything(tmp_path: Path) -> None:
    result = invoke("ingest", "ftp://127.0.0.1/a.html", "--store", "s")
    assert result.exit_code == 2 and "http and https addresses only" in result.stderr


# -- URLs everywhere a path goes --------------------------------------------------------------


@pytest.mark.usefixtures("fake_embeddings")
def test_compare_two_urls_end_to_end_offline(site) -> None:
    result = invoke("compare", f"{site.base}/{WITHDRAWN}", f"{site.base}/{DOUBT}", "--judge", "nli", "--store", "s", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["article_a"]["outlet"] == "eSocialNews" and data["article_b"]["outlet"] == "Yahoo News"
    assert data["article_a"]["url"] == f"{site.base}/{WITHDRAWN}"
    assert data["results"], "no claims were judged"


@pytest.mark.usefixtures("fake_embeddings")
def test_check_a_claim_against_urls(site) -> None:
    result = invoke(
        "check",
        "Russian forces have fully withdrawn from Kyiv.",
        f"{site.base}/{WITHDRAWN}",
        f"{site.base}/{DOUBT}",
        "--judge",
        "nli",
        "--store",
        "s",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {a["outlet"] for a in data["articles"]} == {"eSocialNews", "Yahoo News"}


@pytest.mark.usefixtures("fake_embeddings")
def test_wire_copies_are_one_source_in_the_report(site) -> None:
    result = invoke(
        "report",
        f"{site.base}/ledger/convoy-reaches-chernihiv.html",
        f"{site.base}/courier/chernihiv-aid-arrives.html",
        f"{site.base}/{DOUBT}",
        "--judge",
        "nli",
        "--store",
        "s",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (group,) = report["copies"]
    assert group["outlets"] == ["Daily Ledger", "Morning Courier"]  # the earlier first
    by_id = {a["id"]: a for a in report["articles"]}
    assert by_id[group["members"][1]]["copy_of"] == group["first"]
    claims = {c["id"]: c["article_id"] for c in report["claims"]}
    copies = set(group["members"])
    assert not [p for p in report["pairs"] if {claims[p["earlier"]], claims[p["later"]]} == copies]
    assert report["coverage"]["copy_pairs"] > 0
    markdown = invoke(
        "report",
        f"{site.base}/ledger/convoy-reaches-chernihiv.html",
        f"{site.base}/courier/chernihiv-aid-arrives.html",
        f"{site.base}/{DOUBT}",
        "--judge",
        "nli",
        "--store",
        "s",
    ).stdout
    assert "Wire copies: one source each" in markdown and "Daily Ledger (2022-04-04, first) · Morning Courier" in markdown
    assert WIRE[0][:20] not in json.dumps(report["conflicts"])


@pytest.mark.usefixtures("fake_embeddings")
def test_a_dry_run_on_urls_stores_nothing(site) -> None:
    result = invoke("compare", f"{site.base}/{WITHDRAWN}", f"{site.base}/{DOUBT}", "--judge", "nli", "--dry-run", "--store", "s")
    assert result.exit_code == 0, result.output
    assert not Path("s").exists()


@pytest.mark.usefixtures("fake_embeddings")
def test_polling_a_feed_reports_only_new_conflicts(site) -> None:
    feed = f"{site.base}/feed.xml"
    assert invoke("ingest", "--feed", feed, "--store", "s").exit_code == 0
    urls = [a["url"] for a in stored()]
    first = json.loads(invoke("report", *urls, "--judge", "nli", "--new-only", "--store", "s", "-f", "json").stdout)
    full = json.loads(invoke("report", *urls, "--judge", "nli", "--store", "s", "-f", "json").stdout)
    assert first["new_only"] and [c["pair"] for c in first["conflicts"]] == [c["pair"] for c in full["conflicts"]]
    assert full["conflicts"], "the sample corpus has conflicts to find"
    # The cron job's second poll: the feed has not changed, nothing is new, so nothing fails.
    assert invoke("ingest", "--feed", feed, "--store", "s").exit_code == 0
    again = invoke("report", *urls, "--judge", "nli", "--new-only", "--fail-on-contradict", "--store", "s", "-f", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["conflicts"] == []


@pytest.mark.usefixtures("fake_embeddings")
def test_a_page_without_a_date_takes_the_feeds_and_is_never_dated_by_its_fetch() -> None:
    from tests.news_site import Story

    undated = Story("undated-briefing", "Plain Gazette", "Officials brief on the northern front", None, [p for p in WIRE[1:4]])
    with serving([undated]) as plain:
        assert invoke("ingest", f"{plain.base}/outlet/undated-briefing.html", "--store", "direct").exit_code == 0
        assert invoke("ingest", "--feed", f"{plain.base}/feed.xml", "--store", "fed").exit_code == 0
    assert [a["published"] for a in stored("direct")] == [None]  # unknown, not today
    assert [a["published"] for a in stored("fed")] == ["2022-04-01"]  # the feed entry's pubDate


@pytest.mark.usefixtures("fake_embeddings")
def test_kept_pages_are_cleaned_again_without_fetching(site, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("ingest", "--feed", f"{site.base}/feed.xml", "--store", "s").exit_code == 0
    before = list(site.requests)
    unchanged = invoke("ingest", "--reclean", "--store", "s")
    assert unchanged.exit_code == 0 and "5 unchanged" in unchanged.stdout
    # A better cleaning rule (here: the outlets file renames one outlet) reaches the stored
    # articles from the kept copies; the server is not asked for anything.
    names = Path("outlets.txt")
    names.write_text("127.0.0.1 = Loopback Wire\n")
    result = invoke("ingest", "--reclean", "--outlets", str(names), "--store", "s")
    assert result.exit_code == 0 and "5 updated" in result.stdout
    assert {a["outlet"] for a in stored()} == {"Loopback Wire"}
    assert {a["published"] for a in stored()} == {s.published for s in corpus_stories()}
    assert site.requests == before


@pytest.mark.usefixtures("fake_embeddings")
def test_an_agency_story_carried_word_for_word_by_two_outlets_is_kept_for_both() -> None:
    from tests.news_site import Story

    same = [
        Story(f"wire-{n}", outlet, "Aid convoy reaches Chernihiv", day, WIRE, site)
        for n, outlet, day, site in ((1, "Daily Ledger", "2022-04-04", "ledger"), (2, "Morning Courier", "2022-04-05", "courier"))
    ]
    with serving(same) as wire:
        urls = [f"{wire.base}/ledger/wire-1.html", f"{wire.base}/courier/wire-2.html", f"{wire.base}/ledger/wire-1.html?utm_source=x"]
        result = invoke("ingest", *urls, "--store", "s")
        assert result.exit_code == 0, result.output
        report = json.loads(invoke("report", *urls[:2], "--judge", "nli", "--store", "s", "-f", "json").stdout)
    assert sorted(a["outlet"] for a in stored()) == ["Daily Ledger", "Morning Courier"]  # the second link to one page: read once
    assert report["copies"][0]["outlets"] == ["Daily Ledger", "Morning Courier"] and report["copies"][0]["shared"] == 1.0
