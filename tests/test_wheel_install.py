"""checker runs from its wheel alone: prompts, templates, the offline judge and the embedder are inside it.

The wheel is built from this checkout and installed into a fresh virtualenv in a temporary
folder; the commands then run from another working directory, so nothing can be read from
the checkout by accident. The wheel is installed without its dependencies (this machine has
no network in tests); the new environment sees the project environment's site-packages for
them through a .pth line, which comes after its own site-packages, so `checker` itself is
the wheel's copy (asserted below). Resolving the dependencies is `pip install`'s job, which
`make install` exercises on every fresh machine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_A = ROOT / "corpus" / "2022-04-06-esocialnews-fully-withdrawn.md"
SEED_B = ROOT / "corpus" / "2022-03-29-yahoo-pentagon-casts-doubt.md"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(work / "dist"), str(ROOT)], check=True, cwd=work
    )
    wheel = next((work / "dist").glob("checker-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True, cwd=work
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True, text=True
    ).stdout.strip()
    (Path(site) / "checker-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "checker"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=900,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(cwd), "CHECKER_STORE": str(cwd / "store")},
    )


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    found = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import checker, checker.config as r; print(checker.__file__); print(r.prompts_dir()); print(r.bundled_judge_dir()); print(r.bundled_embedder_dir())",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout.split()
    assert all(str(installed) in line for line in found), found
    assert not any(str(ROOT) in line for line in found)


def test_the_wheel_carries_the_onnx_models_and_not_the_training_weights(installed: Path) -> None:
    import zipfile

    wheel = next((installed.parent / "dist").glob("checker-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("bundled_judge", "bundled_embedder"):
        assert {f"checker/{folder}/model.onnx", f"checker/{folder}/tokenizer.json"} <= names
    assert "checker/bundled_judge/thresholds.json" in names
    assert not any(name.endswith(".safetensors") for name in names)  # torch weights are for training only
    # Every module in the wheel is one of the checkout's (no leftovers of an old layout from a stale build/).
    modules = {name for name in names if name.startswith("checker/") and name.endswith(".py") and "/bundled_" not in name}
    assert modules == {str(p.relative_to(ROOT)) for p in (ROOT / "checker").rglob("*.py")}


def test_compare_and_report_run_from_the_wheel_with_the_offline_judge(installed: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    compared = run(installed, "compare", str(corpus / SEED_A.name), str(corpus / SEED_B.name), "--judge", "nli", "--format", "json", cwd=tmp_path)
    assert compared.returncode == 0, compared.stderr
    comparison = json.loads(compared.stdout)
    assert comparison["judge"].startswith("nli:") and comparison["results"]
    reported = run(installed, "report", str(corpus), "--judge", "nli", "--out", str(tmp_path / "report.html"), cwd=tmp_path)
    assert reported.returncode == 0, reported.stderr
    assert "<html" in (tmp_path / "report.html").read_text()
