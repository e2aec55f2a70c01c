"""Starting real servers on 127.0.0.1 for live tests, and stopping them whatever happens."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.5)
    raise RuntimeError(f"server at {url} did not answer within {timeout:.0f}s:\n{log.read_text()[-2000:]}")


@contextlib.contextmanager
def running(command: list[str], health_url: str, log: Path, timeout: float = 120) -> Iterator[None]:
    with log.open("w") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
    try:
        wait_for(health_url, process, timeout, log)
        yield
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Terminate a server, killing it if it has not exited within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def chroma_command(path: Path, port: int) -> list[str]:
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    return [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
