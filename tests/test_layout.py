"""The folders show the pipeline, and stay that way: layers import only downward, modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "checker"
# docs/ARCHITECTURE.md draws these layers; a subpackage imports only from lower ones (or itself).
LAYERS = {
    "errors": 0,
    "choices": 0,
    "schemas": 1,
    "config": 1,
    "articles": 2,
    "storage": 2,
    "llm": 3,
    "web": 3,
    "claims": 4,
    "judges": 4,
    "pipelines": 5,
    "evaluation": 6,
    "render": 6,
    "cli": 7,
}
TOP_LEVEL = {"__init__", "errors", "choices", "config", "schemas"}  # the package's face, errors, closed sets, config, records


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


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


_ALL = {_name(p) for p in PACKAGE.rglob("*.py")}


def _imports(path: Path, lazy: bool = True) -> set[str]:
    """The checker modules ``path`` imports (function-level imports too, unless ``lazy`` is False)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ast.walk(tree) if lazy else iter(tree.body)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "checker":
            # `from checker.render import markdown` imports the submodule, not the package's face.
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & _ALL
            found.update(submodules or {node.module})
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "checker")
    return found


def test_no_command_opens_a_store_itself() -> None:
    """The CLI asks the workspace (checker/pipelines/workspace.py) for the index and the
    results store: a web handler then does what a command does through the same functions."""
    opening = ("open_store", "open_results", "SQLiteResults", "Store(", "Results(")
    found = {
        str(p.relative_to(PACKAGE)): [name for name in opening if name in p.read_text(encoding="utf-8")]
        for p in sorted((PACKAGE / "cli").glob("*.py"))
    }
    assert {path: names for path, names in found.items() if names} == {}


LLM_IMPLEMENTATIONS = {"checker.judges.llm_judge", "checker.claims.llm_claims", "checker.judges.cascade"}


def test_judges_and_extractors_import_no_llm_implementation_unless_they_are_one() -> None:
    """Interfaces live in judges/base.py and claims/base.py: the offline judge and the offline
    extractor must not need the LLM ones (they once imported llm_judge for ``finalise``)."""
    wrong = []
    for folder in ("judges", "claims"):
        for path in sorted((PACKAGE / folder).glob("*.py")):
            if _name(path) in LLM_IMPLEMENTATIONS:
                continue
            wrong += [f"{_name(path)} imports {m}" for m in sorted(_imports(path) & LLM_IMPLEMENTATIONS)]
    assert wrong == []


def test_no_import_circle_inside_the_package() -> None:
    """Function-level imports count too: a circle through a lazy import still ties two modules."""
    modules = {_name(p): p for p in _modules()}
    graph = {m: {t for t in _imports(p) if t in modules and t != m} for m, p in modules.items()}
    circles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []
