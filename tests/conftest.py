"""Shared fixtures: no network but loopback, a fake embedder, a throwaway store."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
from pathlib import Path

import numpy as np
import pytest

from checker.config import Settings
from checker.storage.store import open_store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def _is_loopback(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket path
        return True
    if not (isinstance(address, tuple) and address):
        return False
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to an address other than loopback fails the test at once."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(address: object) -> None:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach {address!r}; only loopback is allowed")

    def connect(self: socket.socket, address: object) -> None:
        guard(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        guard(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer settings leak in: no CHECKER_* variables, no checker.toml, no keys."""
    import os

    for name in list(os.environ):
        if name.startswith("CHECKER_") or name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def fake_embed(texts, batch_size: int = 64) -> np.ndarray:
    """Deterministic bag-of-words vectors: texts sharing words are close, as with a real model."""
    vectors = np.zeros((len(texts), 384), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 384] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


@pytest.fixture
def fake_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("checker.storage.embeddings.embed", fake_embed)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "store")


@pytest.fixture
def store(settings: Settings):
    return open_store(settings.store, None, settings.collection_prefix)


# -- recorded LLM responses (pytest-recording / vcrpy) -------------------------------------

_SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie", "set-cookie"]


def _scrub_response(response: dict) -> dict:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in _SECRET_HEADERS or name.lower().startswith("x-request-id"):
            headers.pop(name)
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict:
    """Cassettes hold no secrets and readable bodies, and match on the exact request body,
    so an edited prompt cannot replay an answer recorded for the old one. record_mode is
    deliberately not set: CI relies on the default, `none`."""
    return {
        "filter_headers": [(name, None) for name in _SECRET_HEADERS],
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
        "match_on": ["method", "uri", "body"],
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(Path(request.node.fspath).parent / "cassettes" / request.module.__name__.split(".")[-1])
