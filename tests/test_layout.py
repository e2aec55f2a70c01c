"""The folders show the pipeline, and stay that way: layers import only downward, modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "checker"
# docs/ARCHITECTURE.md draws these layers; a subpackage imports only from lower ones (or itself).
LAYERS = {
    "errors": 0,
    "schemas": 1,
    "config": 1,
    "articles": 2,
    "storage": 2,
    "llm": 3,
    "claims": 4,
    "judges": 4,
    "pipelines": 5,
    "evaluation": 6,
    "render": 6,
    "cli": 7,
}
TOP_LEVEL = {"__init__", "errors", "config", "schemas"}  # the package's face, errors, config, records


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("").parts
    return relative[0]


def test_each_layer_imports_only_from_the_layers_below_it() -> None:
    upward = []
    for path in _modules():
        if path.name == "__init__.py" and path.parent == PACKAGE:
            continue
        source = _part(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "checker":
                names = node.module.split(".")[1:] or [alias.name for alias in node.names]
                target = names[0]
                if target in LAYERS and target != source and LAYERS[target] >= LAYERS[source]:
                    upward.append(f"{path.relative_to(PACKAGE)} imports checker.{target}")
    assert upward == []


def test_only_the_face_errors_config_and_records_sit_at_the_top() -> None:
    assert {p.stem for p in PACKAGE.glob("*.py")} == TOP_LEVEL
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(LAYERS) - TOP_LEVEL


def test_no_module_is_over_300_lines() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in _modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert long == {}
