"""A stub OpenAI-compatible chat server on 127.0.0.1, for fault tests and benchmarks.

It answers ``/v1/chat/completions`` with valid structured answers (a forced tool call, or
JSON content when ``response_format`` asks for it) after ``delay`` seconds, or misbehaves
as scripted: ``faults`` is consumed one entry per request (then it answers normally).

Faults: "429" (with Retry-After), "500", "garbage" (a 200 whose body is not JSON), "empty"
(no choices), "truncated" (the connection drops mid-body), "hang" (never answers in time),
"401" (echoes the API key it was sent, as some servers do, to prove we never show it).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FENCE = re.compile(r"<<<(\w+)\n(.*?)\n\1>>>", re.S)
NUMBERED_LINE = re.compile(r"^\[(\d+)\] (.{40,})$", re.M)


def answer_for(schema_name: str, user_message: str, claims_per_article: int | None = 3) -> dict[str, Any]:
    """A valid answer for the project's two schemas, derived from the request: the first
    ``claims_per_article`` sentences of 40 characters or more become claims, cited by number
    (None: every such sentence, about the rate of a real model; see StubLLM)."""
    fences = dict(FENCE.findall(user_message))
    if schema_name == "ExtractedClaims":
        lines = NUMBERED_LINE.findall(fences.get("ARTICLE", ""))[:claims_per_article]
        return {
            "claims": [{"claim": text.strip(), "sentences": [int(n)], "speaker": "the outlet", "when": None, "kind": "event"} for n, text in lines]
        }
    return {"reasoning": "The stub does not read.", "label": "not_addressed", "sentences": [], "confidence": 0.5}


def qwen_counter():  # type: ignore[no-untyped-def]
    """Token counts from an LLM's own tokenizer: Qwen2.5's byte-level BPE (151k tokens, read
    from its GGUF by llama.cpp, vocabulary only), close to what GPT-class tokenizers count.
    WordPiece splits JSON into a token per quote and colon: it counts an extraction answer
    at over twice what Qwen's tokenizer does. Needs the Qwen weights (fetched once)."""
    from llama_cpp import Llama

    from checker.llm.local_llm import qwen_weights

    vocabulary = Llama(model_path=str(qwen_weights()), vocab_only=True, verbose=False)
    return lambda text: len(vocabulary.tokenize(text.encode("utf-8"), add_bos=False, special=False))


def wordpiece_counter():  # type: ignore[no-untyped-def]
    """Token counts from a real tokenizer (the bundled MiniLM's WordPiece), not from the
    estimator's characters-per-token rule: what a dry-run estimate is measured against."""
    from tokenizers import Tokenizer

    from checker.config import bundled_embedder_dir

    tokenizer = Tokenizer.from_file(str(bundled_embedder_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)


class _Server(ThreadingHTTPServer):
    # A listen backlog as real servers keep (uvicorn's is 2048): socketserver's default of 5
    # resets connections when 32 clients connect at the same instant, as an asyncio client does.
    request_queue_size = 128


class StubLLM:
    def __init__(
        self,
        delay: float = 0.0,
        faults: list[str] | None = None,
        retry_after: float = 1.0,
        count_tokens: bool | str = False,
        claims_per_article: int | None = 3,
    ) -> None:
        """``count_tokens``: report usage counted by a real tokenizer over the messages, the
        tools and the answer (as servers count them), instead of a fixed 50 in / 10 out:
        True or "wordpiece" for MiniLM's WordPiece, "qwen" for Qwen2.5's BPE.
        ``claims_per_article``: how many sentences an extraction answer claims. Three keeps
        tests small; None claims every sentence of 40 characters or more, which is close to
        what a real model does on news (Qwen2.5-Coder-1.5B's recorded answers on the
        article-pair suite: 78 claims from 87 sentences shown)."""
        self.count = (qwen_counter() if count_tokens == "qwen" else wordpiece_counter()) if count_tokens else None
        self.claims_per_article = claims_per_article
        self.delay = delay
        self.faults = list(faults or [])
        self.retry_after = retry_after
        self.requests: list[dict[str, Any]] = []
        self.request_times: list[float] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def __enter__(self) -> StubLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_fault(self, body: dict[str, Any], headers: dict[str, str]) -> str | None:
        with self._lock:
            self.requests.append({"body": body, "headers": headers})
            self.request_times.append(time.monotonic())
            return self.faults.pop(0) if self.faults else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # As real servers do (uvicorn, llama.cpp): without it the body waits on the
            # client's delayed ACK of the headers, adding about 40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                # What a stub in another process (StubProcess) reports back: its request count.
                self._send(200, {"requests": stub.request_count})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fault = stub._next_fault(body, {k.lower(): v for k, v in self.headers.items()})
                with stub._lock:
                    stub.in_flight += 1
                    stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
                try:
                    self._respond(body, fault)
                finally:
                    with stub._lock:
                        stub.in_flight -= 1

            def _respond(self, body: dict[str, Any], fault: str | None) -> None:
                if fault == "hang":
                    time.sleep(30)
                    return
                if stub.delay:
                    time.sleep(stub.delay)
                if fault == "429":
                    return self._send(429, {"error": {"message": "rate limited", "type": "rate_limit"}}, {"Retry-After": f"{stub.retry_after:g}"})
                if fault == "500":
                    return self._send(500, {"error": {"message": "boom", "type": "server_error"}})
                if fault == "401":
                    key = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    return self._send(401, {"error": {"message": f"Incorrect API key provided: {key}", "type": "invalid_request_error"}})
                if fault == "garbage":
                    return self._raw(200, b"<html>upstream error</html>{not json")
                if fault == "empty":
                    return self._send(200, {"id": "x", "object": "chat.completion", "created": 0, "model": "stub", "choices": []})
                if fault == "truncated":
                    payload = json.dumps(self._completion(body)).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                return self._send(200, self._completion(body))

            def _completion(self, body: dict[str, Any]) -> dict[str, Any]:
                user = next((m["content"] for m in reversed(body.get("messages", [])) if m["role"] == "user"), "")
                first_user = next((m["content"] for m in body.get("messages", []) if m["role"] == "user"), user)
                tools = body.get("tools") or []
                name = tools[0]["function"]["name"] if tools else body.get("response_format", {}).get("json_schema", {}).get("name", "")
                # As a model writes it (“ itself, not its \\u escape), so it is counted as written.
                arguments = json.dumps(answer_for(name, first_user, stub.claims_per_article), ensure_ascii=False)
                if tools:
                    message = {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}],
                    }
                else:
                    message = {"role": "assistant", "content": arguments}
                return {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body.get("model", "stub"),
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": self._usage(body, arguments),
                }

            def _usage(self, body: dict[str, Any], answer: str) -> dict[str, int]:
                if stub.count is None:
                    return {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60}
                sent = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
                schema = json.dumps(body.get("tools") or body.get("response_format") or "")
                prompt, completion = stub.count(sent) + stub.count(schema), stub.count(answer)
                return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._raw(status, json.dumps(payload).encode(), headers)

            def _raw(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


class StubProcess:
    """The stub in a process of its own, as a real endpoint is: its HTTP handling then does
    not share the client's interpreter lock, so a throughput figure measures checker alone.
    ``request_count`` is the count the stub reports, as StubLLM's is."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self._proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> StubProcess:
        self._proc = subprocess.Popen([sys.executable, "-m", "tests.stub_llm", "--delay", str(self.delay)], stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        self.base_url = self._proc.stdout.readline().strip()
        return self

    @property
    def request_count(self) -> int:
        with urllib.request.urlopen(self.base_url.removesuffix("/v1") + "/stats", timeout=5) as answer:  # noqa: S310 - 127.0.0.1 only
            return int(json.loads(answer.read())["requests"])

    def __exit__(self, *exc: object) -> None:
        if self._proc:
            self._proc.kill()
            self._proc.wait()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve the stub on 127.0.0.1 until killed; prints its base URL.")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    with StubLLM(delay=args.delay) as stub:
        print(stub.base_url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
