"""An ingest killed with SIGKILL in the middle of writing leaves a consistent, resumable index."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import CORPUS, ROOT

# Runs the real CLI in a child process that is killed (SIGKILL, no cleanup) in the middle
# of the second batch write: that batch's chunks are stored, its article records are not.
# Batches of two articles, so the first batch is fully committed before the kill.
DRIVER = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from tests.conftest import fake_embed
    import checker.storage.embeddings, checker.pipelines.ingest, checker.storage.store
    checker.storage.embeddings.embed = fake_embed
    checker.pipelines.ingest._PENDING_ARTICLES = 2
    original = checker.storage.store.Store._upsert
    commits = []
    def dying_upsert(self, collection, rows):
        if collection is self._articles:
            if len(commits) == {die_at}:
                os.kill(os.getpid(), signal.SIGKILL)
            commits.append(len(rows))
        original(self, collection, rows)
    checker.storage.store.Store._upsert = dying_upsert
    from checker.cli import app
    app(sys.argv[1:])
    """
)


def _run(args: list[str], cwd: Path, die_at: int | None) -> subprocess.CompletedProcess[str]:
    code = DRIVER.format(root=str(ROOT), die_at=die_at if die_at is not None else -1)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_sigkill_midway_then_rerun_completes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    killed = _run(["ingest", str(corpus), "--store", "store"], tmp_path, die_at=1)
    assert killed.returncode == -signal.SIGKILL

    # What survived is consistent: every listed article has exactly its chunks.
    listed = json.loads(_run(["articles", "--store", "store", "--format", "json"], tmp_path, None).stdout)
    assert len(listed) == 2
    sys.path.insert(0, str(ROOT))
    from checker.storage.store import open_store

    orphans = open_store(tmp_path / "store", None, "checker").count_chunks() - sum(a["chunks"] for a in listed)
    assert orphans > 0  # the uncommitted batch left chunks behind, invisible to readers

    resumed = _run(["ingest", str(corpus), "--store", "store", "--format", "json"], tmp_path, None)
    assert resumed.returncode == 0, resumed.stderr
    statuses = sorted(o["status"] for o in json.loads(resumed.stdout))
    assert statuses == ["added", "added", "added", "unchanged", "unchanged"]

    listed = json.loads(_run(["articles", "--store", "store", "--format", "json"], tmp_path, None).stdout)
    assert len(listed) == 5
    store = open_store(tmp_path / "store", None, "checker")
    for article in listed:
        assert len(store.chunk_ids(article["id"])) == article["chunks"], article["id"]
    assert store.count_chunks() == sum(a["chunks"] for a in listed)  # no duplicates, no orphans


def test_orphans_of_a_crash_go_even_if_the_file_changed_before_the_rerun(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    assert _run(["ingest", str(corpus), "--store", "store"], tmp_path, die_at=1).returncode == -signal.SIGKILL
    for path in corpus.glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("Kirby", "Kirby,", 1), encoding="utf-8")
    assert _run(["ingest", str(corpus), "--store", "store"], tmp_path, None).returncode == 0
    sys.path.insert(0, str(ROOT))
    from checker.storage.store import open_store

    store = open_store(tmp_path / "store", None, "checker")
    assert store.count_chunks() == sum(a.chunks for a in store.articles())
