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

# Runs the real CLI in a child process whose store kills the process (SIGKILL, no cleanup)
# right after the chunks of the third article are written and before its record is.
DRIVER = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from tests.conftest import fake_embed
    import checker.embeddings, checker.store
    checker.embeddings.embed = fake_embed
    original = checker.store.Store.write_article
    written = []
    def dying_write(self, article, chunks, embeddings):
        if len(written) == {die_at}:
            self._chunks.upsert(ids=[c.id for c in chunks], embeddings=embeddings.tolist(),
                                documents=[c.text for c in chunks],
                                metadatas=[{{"article_id": article.id, "outlet": article.outlet, "title": article.title,
                                            "published": "", "version": article.version, "index": c.index,
                                            "start": c.start, "end": c.end}} for c in chunks])
            os.kill(os.getpid(), signal.SIGKILL)
        written.append(article.id)
        original(self, article, chunks, embeddings)
    checker.store.Store.write_article = dying_write
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
    killed = _run(["ingest", str(corpus), "--store", "store"], tmp_path, die_at=2)
    assert killed.returncode == -signal.SIGKILL

    # What survived is consistent: every listed article has exactly its chunks.
    listed = json.loads(_run(["articles", "--store", "store", "--format", "json"], tmp_path, None).stdout)
    assert len(listed) == 2

    resumed = _run(["ingest", str(corpus), "--store", "store", "--format", "json"], tmp_path, None)
    assert resumed.returncode == 0, resumed.stderr
    statuses = sorted(o["status"] for o in json.loads(resumed.stdout))
    assert statuses == ["added", "added", "added", "unchanged", "unchanged"]

    listed = json.loads(_run(["articles", "--store", "store", "--format", "json"], tmp_path, None).stdout)
    assert len(listed) == 5
    sys.path.insert(0, str(ROOT))
    from checker.store import open_store

    store = open_store(tmp_path / "store", None, "checker")
    for article in listed:
        assert len(store.chunk_ids(article["id"])) == article["chunks"], article["id"]
