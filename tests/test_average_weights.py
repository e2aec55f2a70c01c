"""Averaging judges' weights (training/average_weights.py, docs/history/SOUP-PLAN.md), on tiny tensors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

# safetensors comes with the train extra (`make train-install`; `make test` installs it).
pytest.importorskip("safetensors", reason="needs the train extra: make train-install")

from safetensors.numpy import load_file, save_file  # noqa: E402

from training import average_weights  # noqa: E402


def judge(folder: Path, scale: float, shape: tuple[int, ...] = (2, 3)) -> Path:
    folder.mkdir(parents=True)
    save_file(
        {"encoder.w": (np.arange(6, dtype=np.float32).reshape(shape) * scale).astype(np.float16), "head.b": np.full(3, scale, dtype=np.float16)},
        str(folder / average_weights.WEIGHTS),
    )
    (folder / "config.json").write_text(json.dumps({"name": folder.name}))
    (folder / "tokenizer.json").write_text("{}")
    return folder


def test_the_average_is_the_element_wise_mean_saved_in_fp16(tmp_path: Path) -> None:
    sources = [judge(tmp_path / "k", 1.0), judge(tmp_path / "l", 2.0), judge(tmp_path / "m", 4.5)]
    average_weights.write(average_weights.average(sources), sources[0], tmp_path / "soup", ["k", "l", "m"])

    soup = load_file(str(tmp_path / "soup" / average_weights.WEIGHTS))
    assert soup["encoder.w"].dtype == np.float16
    np.testing.assert_allclose(soup["encoder.w"], np.arange(6).reshape(2, 3) * 2.5)
    np.testing.assert_allclose(soup["head.b"], [2.5, 2.5, 2.5])
    # The first source's config and tokenizer; no thresholds (the average chooses its own).
    assert json.loads((tmp_path / "soup" / "config.json").read_text()) == {"name": "k"}
    assert json.loads((tmp_path / "soup" / "training.json").read_text()) == {"averaged": ["k", "l", "m"]}
    assert not (tmp_path / "soup" / "thresholds.json").exists()


def test_judges_of_another_shape_are_refused(tmp_path: Path) -> None:
    sources = [judge(tmp_path / "k", 1.0), judge(tmp_path / "wide", 1.0, shape=(3, 2))]
    with pytest.raises(SystemExit, match="other tensors"):
        average_weights.average(sources)


def test_a_committed_judge_is_read_from_the_history(tmp_path: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False, cwd=average_weights.REPOSITORY)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    folder = average_weights.from_git(head.stdout.strip(), tmp_path)
    shipped = load_file(str(average_weights.REPOSITORY / average_weights.COMMITTED / average_weights.WEIGHTS))
    committed = load_file(str(folder / average_weights.WEIGHTS))
    assert {k: v.shape for k, v in committed.items()} == {k: v.shape for k, v in shipped.items()}
    assert (folder / "config.json").exists() and (folder / "tokenizer.json").exists()
    with pytest.raises(SystemExit, match="no models/nli-minilm"):
        average_weights.from_git("0" * 40, tmp_path / "none")
