"""Chat models behind one narrow interface; the only module that imports langchain-openai.

``ChatModel.complete(messages, schema)`` asks for an answer shaped like a pydantic model and
returns what came back, parsed or not: validation, re-asking and caching live above this
layer (``checker.llm.asking``), so a scripted fake can stand in for any real model in tests.

Structured output is requested in the way the endpoint supports: OpenAI's ``json_schema``
response format, or a forced tool call, which llama.cpp's server and most local servers
support (they reject ``json_schema``), or ``json_object``: any JSON object, with the fields
described in the prompt, which leaves a small model's wording unforced by a grammar
(llama.cpp accepts it). ``auto`` picks json_schema for api.openai.com and tool calling for
any other base URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from pydantic import BaseModel, SecretStr

from checker.choices import StructuredOutput
from checker.errors import ConfigError, LLMError, brief
from checker.llm.wire import Message, _payload, merge_system_message, url_password, with_answer_format
from checker.storage.secrets import redact_url

if TYPE_CHECKING:  # pragma: no cover
    from langchain_core.runnables import RunnableBinding, RunnableSequence

DEFAULT_MODEL = "gpt-4o-mini"  # OpenAI's, when no model is named and no base URL is set


@dataclass
class Completion:
    """One model answer: the structured payload if there was one, and the raw text always."""

    payload: Any | None
    raw: str
    input_tokens: int = 0
    output_tokens: int = 0
    error: str | None = None  # set when the call itself failed
    retry_after: float | None = None  # seconds the server asked us to wait (429/503 Retry-After)
    seconds: float | None = None  # the call's wall time, when it was made (not read from the cache)


class ChatModel(Protocol):
    model: str
    endpoint: str

    def complete(self, messages: list[Message], schema: type[BaseModel]) -> Completion: ...

    def cache_identity(self) -> dict[str, Any]:
        """What, besides the messages, decides the answer: part of every cache key."""
        ...


class OpenAIChat:
    """Any OpenAI-compatible endpoint through langchain-openai."""

    def __init__(
        self,
        model: str,
        api_key: str | None,
        base_url: str | None,
        temperature: float = 0.0,
        timeout: float = 60.0,
        max_retries: int = 3,
        method: StructuredOutput | str = StructuredOutput.auto,
        max_tokens: int | None = 2048,
        merge_system: bool | None = None,
    ) -> None:
        from langchain_openai import ChatOpenAI

        self.model = model
        # The endpoint as shown, logged and stored: credentials in the URL are masked.
        self.endpoint = redact_url(base_url or "https://api.openai.com/v1")
        chosen = StructuredOutput(method)
        if chosen is StructuredOutput.auto:
            chosen = StructuredOutput.json_schema if base_url is None or "api.openai.com" in base_url else StructuredOutput.tools
        self.method = chosen.value  # a plain string: it is part of every cache key
        # Local chat templates often have no system role (llama.cpp's `gemma` format drops
        # it silently), so for endpoints other than OpenAI the system message is folded
        # into the first user turn, as Gemma's own template does.
        self.merge_system = (base_url is not None and "api.openai.com" not in base_url) if merge_system is None else merge_system
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._secrets = [s for s in (api_key, url_password(base_url)) if s]
        self._runnables: dict[type[BaseModel], Any] = {}
        # One retry policy, checker's own (checker.llm.asking: ``max_retries`` attempts more, with
        # backoff): the SDK's retries are off, since the two multiplied made one hung call cost
        # 12 requests, and Ctrl-C waited through the SDK's sleeps. ``timeout`` bounds each request.
        self.max_retries = max_retries
        self._chat = ChatOpenAI(  # type: ignore[call-arg]  # max_tokens is an alias the stubs do not declare
            model=model,
            api_key=SecretStr(api_key or "no-key-needed"),  # local servers ignore it; the SDK requires one
            base_url=base_url,
            temperature=temperature,
            timeout=timeout,
            max_retries=0,
            max_tokens=max_tokens,
        )

    def cache_identity(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "endpoint": self.endpoint,
            "method": self.method,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "merge_system": self.merge_system,
        }

    def complete(self, messages: list[Message], schema: type[BaseModel]) -> Completion:
        import openai

        if self.merge_system:
            messages = merge_system_message(messages)
        if self.method == "json_object":
            messages = with_answer_format(messages, schema)
        try:
            message = self._runnable(schema).invoke(messages)
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise LLMError(
                f"the LLM endpoint {self.endpoint} refused the credentials ({exc.status_code})",
                "Check OPENAI_API_KEY, or --base-url for a local server",
            ) from None
        except openai.NotFoundError:
            raise LLMError(
                f"the LLM endpoint {self.endpoint} does not know the model {self.model!r} (404)",
                "Pick a model it serves with --model / CHECKER_MODEL",
            ) from None
        except openai.APITimeoutError as exc:
            return Completion(payload=None, raw="", error=self._redact(f"timed out: {brief(exc)}"))
        except openai.APIConnectionError as exc:
            import socket

            # Refused or unresolvable: nobody is there. A connection dropped mid-answer is retried.
            if not _caused_by(exc, (ConnectionRefusedError, socket.gaierror)):
                return Completion(payload=None, raw="", error=self._redact(f"connection lost: {brief(exc)}"))
            # Nothing listens there: every later call would fail the same way, so the run
            # stops now with one line instead of failing each claim in turn.
            raise LLMError(
                f"cannot reach the LLM endpoint {redact_url(self.endpoint)} (connection failed)",
                f"Is the server running at {redact_url(self.endpoint)}? Start it, or fix --base-url / CHECKER_BASE_URL",
            ) from None
        except openai.BadRequestError as exc:
            # Usually the request is too long for the model's context; the claim is unscored.
            return Completion(payload=None, raw="", error=self._redact(f"rejected by the endpoint (400): {brief(exc)}"))
        except openai.APIStatusError as exc:  # 429, 5xx: checker.llm.asking retries, honouring Retry-After
            return Completion(
                payload=None,
                raw="",
                error=self._redact(f"{type(exc).__name__}: {brief(exc)}"),
                retry_after=_retry_after(exc.response.headers.get("retry-after")),
            )
        except Exception as exc:  # garbage bodies, empty choices, dropped connections mid-body
            return Completion(payload=None, raw="", error=self._redact(f"{type(exc).__name__}: {brief(exc)}"))
        usage = getattr(message, "usage_metadata", None) or {}
        raw, payload = _payload(message)
        return Completion(
            payload=payload,
            raw=raw,
            input_tokens=int(usage.get("input_tokens", 0)),
            output_tokens=int(usage.get("output_tokens", 0)),
        )

    def _runnable(self, schema: type[BaseModel]) -> Any:
        """The chat model bound to answer as ``schema``; built once per schema.

        A schema may cap the answer's length with a ``max_output_tokens`` class attribute:
        small models can loop inside a string until the budget runs out, and a verdict never
        needs thousands of tokens.
        """
        runnable = self._runnables.get(schema)
        if runnable is None:
            budget = getattr(schema, "max_output_tokens", None)
            chat = self._chat if budget is None else self._chat.model_copy(update={"max_tokens": min(budget, self.max_tokens or budget)})
            if self.method == "tools":
                structured = chat.with_structured_output(schema, method="function_calling")
            elif self.method == "json_object":
                structured = chat.with_structured_output(schema, method="json_mode")
            else:
                structured = chat.with_structured_output(schema, method="json_schema", strict=False)
            # LangChain's structured output is the bound model followed by its parser. Only
            # the bound model is kept (the request it sends is the same): checker parses and
            # validates the answer itself (wire.py), and LangChain's include_raw wrapper ran
            # each call through two thread-pool hops and a second validation, which under 32
            # calls in flight cost more than the rest of the call.
            bound = cast("RunnableBinding", cast("RunnableSequence", structured).first)
            # The binding also carries LangSmith's tracing metadata, for which LangChain
            # converts the schema to JSON schema again on every call (a quarter of the
            # call's own CPU time); no request field comes from it, and checker sends no traces.
            kwargs = {k: v for k, v in bound.kwargs.items() if k != "ls_structured_output_format"}
            runnable = bound.model_copy(update={"kwargs": kwargs})
            self._runnables[schema] = runnable
        return runnable

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


def _caused_by(exc: BaseException, kind: type | tuple[type, ...]) -> bool:
    """Whether ``kind`` is in the exception's chain (langchain wraps openai, which wraps httpx)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


MAX_RETRY_AFTER = 60.0  # a server asking for longer is not waited for: the call fails instead


def _retry_after(value: str | None) -> float | None:
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER) if value else None
    except ValueError:
        return None  # an HTTP date: rare from model servers; the backoff applies


def make_model(
    model: str | None,
    base_url: str | None,
    api_key: str | None,
    *,
    temperature: float,
    timeout: float,
    max_retries: int,
    method: StructuredOutput | str,
) -> OpenAIChat:
    """The configured model, or ConfigError saying how to configure one. ``model`` None: the
    one the server at ``base_url`` serves (asked), or OpenAI's default without a base URL."""
    if not api_key and not base_url:
        raise ConfigError(
            "no LLM is configured",
            "Set OPENAI_API_KEY for OpenAI, or --base-url / CHECKER_BASE_URL for an OpenAI-compatible server (llama.cpp, Ollama, vLLM); "
            "with no key, `make llm-server MODEL=qwen-1.5b` serves a local model at http://127.0.0.1:8080/v1",
        )
    if model is None:
        from checker.llm.served import served_model

        model = served_model(base_url, api_key) if base_url else DEFAULT_MODEL
    return OpenAIChat(model, api_key, base_url, temperature=temperature, timeout=timeout, max_retries=max_retries, method=method)
