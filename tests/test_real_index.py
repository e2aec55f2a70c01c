"""The real embedding model and real Chroma servers: what `make run` and a team rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from tests.conftest import CORPUS
from tests.servers import chroma_command, free_port, running

runner = CliRunner()


@pytest.mark.slow
def test_bundled_model_finds_the_withdrawal_pair(tmp_path: Path) -> None:
    assert runner.invoke(app, ["ingest", str(CORPUS), "--store", "s"]).exit_code == 0
    result = runner.invoke(app, ["search", "Russian forces have fully withdrawn from Kyiv", "-k", "3", "--store", "s", "-f", "json"])
    hits = json.loads(result.stdout)
    assert hits[0]["outlet"] == "eSocialNews" and "fully withdrawn" in hits[0]["text"]
    assert hits[0]["score"] > 0.6
    reposition = runner.invoke(
        app, ["search", "repositioning, not a major withdrawal", "-k", "1", "--outlet", "Yahoo News", "--store", "s", "-f", "json"]
    )
    assert "repositioning, not a major withdrawal" in json.loads(reposition.stdout)[0]["text"]


@pytest.mark.slow
@pytest.mark.live
def test_ingest_and_search_through_a_chroma_server(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(chroma_command(tmp_path / "server-data", port), f"{url}/api/v2/heartbeat", tmp_path / "chroma.log"):
        first = runner.invoke(app, ["ingest", str(CORPUS), "--chroma-url", url])
        assert first.exit_code == 0, first.output
        assert "5 added" in first.stdout
        # A second client (a teammate) sees the same index and adds nothing.
        again = runner.invoke(app, ["ingest", str(CORPUS), "--chroma-url", url])
        assert "5 unchanged" in again.stdout
        hits = json.loads(runner.invoke(app, ["search", "8,500 troops on alert", "-k", "1", "--chroma-url", url, "-f", "json"]).stdout)
        assert hits[0]["outlet"] == "RT"
    assert not (tmp_path / ".checker").exists()  # nothing went to a local store
