"""How close each layer under checker's judge calls comes to the ideal, against the stub.

    .venv/bin/python bench/transport_floor.py [--calls 64] [--delay 0.25] [--rounds 2] [--asyncio]

compare's throughput bar (issue: light runtime) asks for 0.9 of the ideal (calls x delay /
concurrency) at concurrency 32. This sends the same judge request (the JudgeAnswer tool
schema, a 3,800-character prompt) through each layer in turn, on 32 threads, to the stub in
a process of its own, and reports the share of the ideal each reaches and its CPU time per
call: what is left for checker once the layers below it have taken theirs.

- ``httpx``: one shared client posting the request body as bytes (no SDK);
- ``openai``: the OpenAI SDK's ``chat.completions.create`` with the same fields;
- ``langchain``: the chat model checker binds (``OpenAIChat._runnable``), invoked directly;
- ``checker call``: ``OpenAIChat.complete`` (the call with its answer parsed);
- ``checker ask``: ``Asker.ask`` with a results database (cache key, validation, the write).

With ``--asyncio`` the first three layers are measured through their asyncio clients on one
event loop instead (``httpx.AsyncClient``, ``AsyncOpenAI``, LangChain's ``ainvoke``), 32 calls
in flight at most: the lever an asyncio rewrite of the judging stage would pull.

Rounds alternate the layers, so a slow moment of the machine falls on each in turn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.judges.llm_judge import JudgeAnswer  # noqa: E402
from checker.llm.asking import Asker  # noqa: E402
from checker.llm.chat import OpenAIChat  # noqa: E402
from checker.storage.sqlite_results import SQLiteResults  # noqa: E402
from tests.stub_llm import StubProcess  # noqa: E402

SYSTEM = "You decide whether a news claim is supported by passages of another report. " * 6
EVIDENCE = "[1] Russian forces have repositioned around the capital, officials said on Monday. " * 40


def messages(i: int) -> list[tuple[str, str]]:
    # A distinct claim per call, so the asker's cache never answers.
    return [("system", SYSTEM), ("user", f"CLAIM {i}: Russian forces have fully withdrawn from Kyiv.\n\n{EVIDENCE}")]


def judge_request(base_url: str) -> tuple[OpenAIChat, Any, dict[str, Any]]:
    """checker's chat model for the stub, its runnable bound to JudgeAnswer, and the request
    body that runnable sends (built by LangChain itself, so every layer sends the same JSON)."""
    from langchain_core.messages import convert_to_messages

    chat = OpenAIChat("stub", None, base_url, max_retries=0, merge_system=False)
    runnable = chat._runnable(JudgeAnswer)
    return chat, runnable, runnable.bound._get_request_payload(convert_to_messages(messages(0)), **runnable.kwargs)


def layers(base_url: str, work: Path) -> dict[str, Callable[[int], object]]:
    import httpx
    import openai

    chat, runnable, body = judge_request(base_url)
    asker = Asker(chat, SQLiteResults(work / "results.db"), transport_retries=0)
    client = openai.OpenAI(api_key="no-key-needed", base_url=base_url, max_retries=0)
    http = httpx.Client(base_url=base_url, limits=httpx.Limits(max_connections=64))

    def raw(i: int) -> object:
        answer = http.post("/chat/completions", content=json.dumps(body), headers={"content-type": "application/json"})
        return json.loads(answer.content)

    return {
        "httpx": raw,
        "openai": lambda i: client.chat.completions.create(**body),
        "langchain": lambda i: runnable.invoke(messages(i)),
        "checker call": lambda i: chat.complete(messages(i), JudgeAnswer),
        "checker ask": lambda i: asker.ask(messages(i), JudgeAnswer),
    }


def async_layers(base_url: str) -> dict[str, Callable[[int], object]]:
    """The same request through each layer's asyncio client; each call returns a coroutine."""
    import httpx
    import openai

    _, runnable, body = judge_request(base_url)
    client = openai.AsyncOpenAI(api_key="no-key-needed", base_url=base_url, max_retries=0)
    http = httpx.AsyncClient(base_url=base_url, limits=httpx.Limits(max_connections=64))

    async def raw(i: int) -> object:
        answer = await http.post("/chat/completions", content=json.dumps(body), headers={"content-type": "application/json"})
        return json.loads(answer.content)

    return {
        "httpx (asyncio)": raw,
        "openai (asyncio)": lambda i: client.chat.completions.create(**body),
        "langchain (asyncio)": lambda i: runnable.ainvoke(messages(i)),
    }


def measure_async(call: Callable[[int], Any], calls: int, concurrency: int, first: int) -> tuple[float, float]:
    """As ``measure``, with at most ``concurrency`` coroutines in flight on one event loop."""

    async def run() -> None:
        slots = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with slots:
                await call(i)

        await asyncio.gather(*(one(i) for i in range(first, first + calls)))

    started, cpu = time.perf_counter(), time.process_time()
    LOOP.run_until_complete(run())
    return time.perf_counter() - started, time.process_time() - cpu


LOOP = asyncio.new_event_loop()  # one loop for every round: the clients keep their connections


def measure(call: Callable[[int], object], calls: int, concurrency: int, first: int) -> tuple[float, float]:
    """(seconds, CPU seconds of this process) for ``calls`` calls on ``concurrency`` threads."""
    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(call, range(first, first + calls)))
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=64)
    parser.add_argument("--delay", type=float, default=0.25)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--asyncio", action="store_true", help="the asyncio clients instead of threads")
    args = parser.parse_args()
    timed = measure_async if args.asyncio else measure

    shares: dict[str, list[float]] = {}
    cpu_ms: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="checker-floor-") as tmp, StubProcess(args.delay) as stub:
        named = async_layers(stub.base_url) if args.asyncio else layers(stub.base_url, Path(tmp))
        counter = 0
        for call in named.values():  # warm each layer: connections, schema caches
            timed(call, 1, 1, counter)
            counter += 1
        for _ in range(args.rounds):
            for name, call in named.items():
                seconds, cpu = timed(call, args.calls, 32, counter)
                counter += args.calls
                shares.setdefault(name, []).append(args.calls * args.delay / 32 / seconds)
                cpu_ms.setdefault(name, []).append(1000 * cpu / args.calls)

    print(f"{args.calls} calls at concurrency 32{' (asyncio)' if args.asyncio else ''}, stub delay {args.delay} s, {args.rounds} rounds\n")
    print("| layer | ideal / measured, each round | CPU ms per call, each round |")
    print("|---|---|---|")
    for name in shares:
        print(f"| {name} | {', '.join(f'{s:.2f}' for s in shares[name])} | {', '.join(f'{c:.1f}' for c in cpu_ms[name])} |")


if __name__ == "__main__":
    main()
