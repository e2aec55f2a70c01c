"""The CLI as a user meets it: exit codes, one-line errors, JSON that parses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from tests.conftest import CORPUS

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output + result.stderr


def test_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("ingest", "articles", "search"):
        assert command in result.stdout


@pytest.mark.usefixtures("fake_embeddings")
def test_ingest_then_articles_and_search_as_json(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    shutil.copytree(CORPUS, corpus)
    result = invoke("ingest", str(corpus), "--store", "s")
    assert result.exit_code == 0, result.output
    assert "5 added" in result.stdout
    listed = json.loads(invoke("articles", "--store", "s", "--format", "json").stdout)
    assert {a["outlet"] for a in listed} >= {"Yahoo News", "eSocialNews"}
    hits = json.loads(invoke("search", "refugees flee Ukraine", "-k", "2", "--store", "s", "-f", "json").stdout)
    assert len(hits) == 2 and {"outlet", "published", "score", "text", "start", "end"} <= set(hits[0])
    again = invoke("ingest", str(corpus), "--store", "s")
    assert "5 unchanged" in again.stdout


def test_missing_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = invoke("ingest", str(tmp_path / "nope.txt"), "--store", "s")
    _one_line_error(result, "nope.txt: no such file or folder", "nothing was ingested")


@pytest.mark.usefixtures("fake_embeddings")
def test_partly_bad_input_ingests_the_rest_and_warns(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Kyiv update\n\n" + "Russian forces have fully withdrawn from the capital, the Pentagon said on Wednesday.")
    (tmp_path / "empty.txt").write_text("")
    result = invoke("ingest", str(tmp_path / "good.txt"), str(tmp_path / "empty.txt"), "--store", "s")
    assert result.exit_code == 0
    assert "1 added, 1 skipped" in result.stdout
    assert "empty.txt: file is empty" in result.stderr


def test_unreachable_chroma_server_is_one_line(tmp_path: Path) -> None:
    from tests.servers import free_port

    result = invoke("articles", "--chroma-url", f"http://127.0.0.1:{free_port()}")
    _one_line_error(result, "cannot reach the Chroma server", "chroma run")


def test_bad_chroma_url_is_one_line() -> None:
    _one_line_error(invoke("articles", "--chroma-url", "ftp://x"), "not an http(s) URL")


def test_bad_setting_from_the_environment_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKER_CHUNK_SIZE", "ten")
    _one_line_error(invoke("articles"), "chunk_size")


def test_empty_index_says_how_to_fill_it() -> None:
    result = invoke("articles", "--store", "s")
    assert result.exit_code == 0 and "checker ingest" in result.stdout


def test_search_checks_its_arguments() -> None:
    assert invoke("search", "x", "-k", "0").exit_code == 2
    _one_line_error(invoke("search", "   ", "--store", "s"), "query is empty")


def test_the_eval_commands_suite_names_are_the_suites() -> None:
    from checker.cli.eval_command import SUITE_NAMES
    from checker.evaluation import evals

    assert SUITE_NAMES == evals.SUITE_KINDS
