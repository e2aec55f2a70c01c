"""No recorded cassette holds a secret: no auth headers, cookies, or key-like strings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

CASSETTES = sorted((ROOT / "tests" / "cassettes").rglob("*.yaml")) + sorted((ROOT / "evals" / "cassettes").rglob("*.yaml"))
FORBIDDEN_HEADERS = {"authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie", "set-cookie"}
KEY_LIKE = re.compile(r"\b(sk-[A-Za-z0-9_-]{16,}|sk-proj-[A-Za-z0-9_-]{8,}|Bearer\s+[A-Za-z0-9._-]{8,})")


def test_there_are_cassettes_to_check() -> None:
    assert len(CASSETTES) >= 4


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.name)
def test_cassette_has_no_secrets(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not KEY_LIKE.search(text), f"{path.name} contains a key-like string"
    for interaction in yaml.safe_load(text)["interactions"]:
        for part in ("request", "response"):
            headers = {name.lower() for name in (interaction[part].get("headers") or {})}
            assert not headers & FORBIDDEN_HEADERS, f"{path.name}: {part} keeps {headers & FORBIDDEN_HEADERS}"


def test_the_filter_catches_what_it_should() -> None:
    assert KEY_LIKE.search("authorization: Bearer sk-abcdefghijklmnopqrstuvwx")
    assert not KEY_LIKE.search("the sky is blue; Bearer of bad news")
