"""`checker compare` end to end over HTTP against a real llama.cpp server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.llm_server import installed, llama_server

pytestmark = [pytest.mark.live, pytest.mark.slow]


@pytest.fixture(scope="module")
def gemma_url(tmp_path_factory: pytest.TempPathFactory):
    if not installed():
        if os.environ.get("CI"):
            pytest.fail("llama-cpp-python is not installed: `make test` should have installed it (make llm-install)")
        pytest.skip("llama.cpp server not installed; run `make llm-install`")
    with llama_server(tmp_path_factory.mktemp("llama") / "server.log") as url:
        yield url


def checker(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "checker"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHECKER_", "OPENAI_"))}
    # Bounded: a generation llama.cpp cannot finish becomes an unscored claim, not a stuck run.
    env.update(CHECKER_TIMEOUT="240", CHECKER_MAX_RETRIES="0")
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=1500)


# Two runs, each bounded by checker() at 1,500 s: pytest's default 600 s cut a run that was
# only slow (a loaded machine, a long grammar-constrained generation) before its own bound.
@pytest.mark.timeout(3000)
def test_compare_the_seed_pair_over_http(gemma_url: str, tmp_path: Path) -> None:
    args = [
        "compare",
        str(CORPUS / "2022-04-06-esocialnews-fully-withdrawn.md"),
        str(CORPUS / "2022-03-29-yahoo-pentagon-casts-doubt.md"),
        "--base-url",
        gemma_url,
        "--model",
        "gemma-3-270m",
        "--max-claims",
        "2",
        "-k",
        "1",
        "--concurrency",
        "1",
        "--format",
        "json",
    ]
    first = checker(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["endpoint"] == gemma_url and data["judge"].startswith("llm:gemma-3-270m:")
    assert data["usage"]["calls"] + data["usage"]["failed"] >= 1
    assert sum(data["summary"].values()) == len(data["results"])
    for result in data["results"]:
        assert result["verdict"]["label"] in ("agree", "contradict", "superseded", "not_addressed", "unscored")
    second = checker(*args, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)["usage"]
    # Claims come from the results database and answers from the cache: nothing that came
    # back is asked for again, so a run without failures costs no calls the second time.
    if data["usage"]["failed"] == 0:
        assert again["calls"] == 0 and again["failed"] == 0
    assert again["calls"] <= data["usage"]["calls"] + data["usage"]["failed"]
