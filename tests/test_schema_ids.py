"""Every schema id the CLI emits, pinned: a module move or a rename can never change one again
(the subpackage split once turned checker.report/1 into checker.pipelines.report/1)."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

import checker
from tests.conftest import CORPUS
from tests.test_hostile_two import _judging_by_keywords

PINNED = {
    "checker.comparison/1": "checker.schemas.Comparison",  # compare --format json
    "checker.report/1": "checker.pipelines.report_models.Report",  # report --format json
    "checker.check/1": "checker.pipelines.check.CheckResult",  # check --format json
}


def test_every_record_with_a_schema_id_is_pinned() -> None:
    found = {}
    for module in pkgutil.walk_packages(checker.__path__, "checker."):
        if module.name.startswith("checker.cli"):
            continue
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, BaseModel) and "schema_version" in cls.model_fields and cls.__module__ == module.name:
                found[cls.model_fields["schema_version"].default] = f"{cls.__module__}.{cls.__qualname__}"
    assert found == PINNED


@pytest.mark.usefixtures("fake_embeddings")
def test_the_cli_emits_the_pinned_ids(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from checker.cli import app

    monkeypatch.setattr("checker.pipelines.judging.build", lambda *a, **k: _judging_by_keywords())
    runner = CliRunner()
    a, b = sorted(CORPUS.glob("*.md"))[-2:]
    emitted = {
        json.loads(runner.invoke(app, ["compare", str(a), str(b), "--format", "json"]).stdout)["schema_version"],
        json.loads(runner.invoke(app, ["report", str(CORPUS), "--format", "json"]).stdout)["schema_version"],
        json.loads(runner.invoke(app, ["check", "Russian forces have fully withdrawn from Kyiv", "--format", "json"]).stdout)["schema_version"],
    }
    assert emitted == set(PINNED)
