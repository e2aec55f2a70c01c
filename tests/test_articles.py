"""Loading every supported format, and a clear refusal for every kind of bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from checker.articles.loading import load_file
from checker.articles.reading import discover
from checker.errors import InputError
from tests.conftest import CORPUS

LIMIT = 10_000_000
BODY = "Russian forces have fully withdrawn from the Ukrainian capital, Kyiv, and the city of Chernihiv to its north, the Pentagon said Wednesday."


def test_corpus_front_matter_is_the_metadata() -> None:
    article = load_file(CORPUS / "2022-04-06-esocialnews-fully-withdrawn.md", LIMIT).articles[0]
    assert article.id == "esocialnews-2022-04-06-fully-withdrawn"
    assert article.outlet == "eSocialNews"
    assert article.published == dt.date(2022, 4, 6)
    assert article.title == "Pentagon: Russia has fully withdrawn from Kyiv, Chernihiv"
    assert "seed" not in article.text and "---" not in article.text


def test_every_corpus_article_has_outlet_title_and_date() -> None:
    files, warnings = discover([CORPUS])
    assert len(files) == 5 and warnings == []
    for path in files:
        article = load_file(path, LIMIT).articles[0]
        assert article.outlet != "unknown" and article.title and article.published, path


def test_plain_text_without_front_matter_gets_a_stable_id(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(f"Kyiv update\n\n{BODY}\n", encoding="utf-8")
    first = load_file(path, LIMIT).articles[0]
    second = load_file(path, LIMIT).articles[0]
    assert first.id == second.id and first.id.startswith("kyiv-update-")
    assert first.title == "Kyiv update"
    assert first.outlet == "unknown"


def test_markdown_syntax_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(f"# Kyiv update\n\n**Breaking:** {BODY} See [the briefing](http://example.org).\n", encoding="utf-8")
    text = load_file(path, LIMIT).articles[0].text
    assert text.startswith("Kyiv update") and "Breaking:" in text
    assert "**" not in text and "#" not in text and "http://example.org" not in text and "the briefing" in text


def test_html_goes_through_trafilatura(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        """<html><head><title>Russia leaves Kyiv | Example Times</title>
        <meta property="og:site_name" content="Example Times"><meta name="author" content="Jane Roe">
        <meta property="article:published_time" content="2022-04-06T10:00:00Z"></head>
        <body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
        <article><h1>Russia leaves Kyiv</h1><p>"""
        + BODY
        + """</p><p>“We are assessing that all of the Russians have left,” said a senior U.S. defense official.</p>
        </article><footer>Subscribe to our newsletter</footer></body></html>""",
        encoding="utf-8",
    )
    article = load_file(path, LIMIT).articles[0]
    assert article.outlet == "Example Times" and article.author == "Jane Roe"
    assert article.published == dt.date(2022, 4, 6)
    assert BODY in article.text and "Subscribe" not in article.text


def test_an_html_page_is_never_dated_by_its_copyright_line(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        f"<html><head><title>Russia leaves Kyiv</title></head><body><article><h1>Russia leaves Kyiv</h1><p>{BODY}</p></article>"
        "<footer><p>© 2022 Example Times. All rights reserved.</p></footer></body></html>",
        encoding="utf-8",
    )
    assert load_file(path, LIMIT).articles[0].published is None  # unknown, not 1 January 2022


def test_html_with_no_article_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "index.html"
    path.write_text("<html><body><nav><a href='/a'>A</a><a href='/b'>B</a></nav></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match=r"index\.html: no article text found"):
        load_file(path, LIMIT)


def test_jsonl_skips_malformed_lines_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    good = {"id": "a1", "source": "Wire", "headline": "Kyiv", "date": "2022-04-06", "body": BODY}
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"title": "no text"}) + "\n[1, 2]\n", encoding="utf-8")
    loaded = load_file(path, LIMIT)
    assert [a.id for a in loaded.articles] == ["a1"]
    assert loaded.articles[0].outlet == "Wire" and loaded.articles[0].source.endswith("feed.jsonl#1")
    assert len(loaded.warnings) == 3
    assert any("#2: malformed JSON" in w for w in loaded.warnings)
    assert any("#3: no article text" in w for w in loaded.warnings)
    assert any("#4: not a JSON object" in w for w in loaded.warnings)


def test_json_list_of_articles(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([{"text": BODY, "url": "https://example.org/1"}, {"text": BODY + " More.", "url": "https://example.org/2"}]))
    ids = [a.id for a in load_file(path, LIMIT).articles]
    assert len(set(ids)) == 2


def test_invalid_json_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text('{"text": "x",\n oops}')
    with pytest.raises(InputError, match=r"feed\.json: not valid JSON \(line 2"):
        load_file(path, LIMIT)


def test_bad_front_matter_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: [unclosed\n---\n" + BODY)
    with pytest.raises(InputError, match=r"a\.md: front matter is not valid YAML"):
        load_file(path, LIMIT)


def test_bad_date_names_the_file_and_the_format(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\npublished: someday soon\n---\n" + BODY)
    with pytest.raises(InputError, match=r"a\.md: the field 'published' \('someday soon'\)") as info:
        load_file(path, LIMIT)
    assert "YYYY-MM-DD" in info.value.one_line()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\n  ", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "looks like a binary file"),
        (b"Source link\n\nAdvertisement\n", "no article text left after removing boilerplate"),
    ],
)
def test_unusable_files_are_refused_with_the_name(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        load_file(path, LIMIT)
    assert str(path) in info.value.one_line()


def test_latin1_and_utf16_files_are_decoded(tmp_path: Path) -> None:
    text = f"Café owners in Kyiv\n\n{BODY} The café reopened.\n"
    latin = tmp_path / "latin.txt"
    latin.write_bytes(text.encode("latin-1"))
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(text.encode("utf-16"))  # with BOM
    for path in (latin, utf16):
        article = load_file(path, LIMIT).articles[0]
        assert "The café reopened." in article.text, path


def test_a_50_mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)
    with pytest.raises(InputError, match=r"huge\.txt: file is 50\.0 MB, over the 10 MB limit") as info:
        load_file(path, LIMIT)
    assert "CHECKER_MAX_FILE_MB" in info.value.one_line()


def test_discover_reports_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "ok.txt").write_text(BODY)
    files, warnings = discover([tmp_path / "missing.txt", tmp_path / "empty", tmp_path / "notes.pdf", tmp_path / "ok.txt", tmp_path / "ok.txt"])
    assert files == [(tmp_path / "ok.txt").resolve()]
    assert any("missing.txt: no such file" in w for w in warnings)
    assert any("empty: no readable articles" in w for w in warnings)
    assert any("notes.pdf: unsupported file type '.pdf'" in w for w in warnings)
