"""The real OpenAI SDK path over HTTP against a stub server on 127.0.0.1: faults and retries."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from checker.errors import LLMError
from checker.judges.llm_judge import JudgeAnswer
from checker.llm.asking import Asker
from checker.llm.chat import OpenAIChat
from tests.conftest import CORPUS
from tests.stub_llm import StubLLM

MESSAGES = [("system", "judge"), ("user", "Claim:\n<<<CLAIM\nRussian forces left Kyiv.\nCLAIM>>>")]


def ask(stub: StubLLM, method: str = "tools", timeout: float = 5, api_key: str | None = None):
    chat = OpenAIChat("stub-model", api_key, stub.base_url, timeout=timeout, max_retries=2, method=method)
    return Asker(chat, None, transport_retries=2, backoff=0.01).ask(MESSAGES, JudgeAnswer)


def test_tool_calling_request_and_answer() -> None:
    with StubLLM() as stub:
        answer = ask(stub)
    assert answer.value == JudgeAnswer(reasoning="The stub does not read.", label="not_addressed", sentences=[], confidence=0.5)
    body = stub.requests[0]["body"]
    assert body["model"] == "stub-model" and body["temperature"] == 0
    assert body["tools"][0]["function"]["name"] == "JudgeAnswer"
    assert body["tool_choice"]["function"]["name"] == "JudgeAnswer"  # forced, not optional
    assert "response_format" not in body
    assert body["max_completion_tokens"] == JudgeAnswer.max_output_tokens  # a verdict's own budget
    # A local endpoint gets the system text inside the first user turn (llama.cpp's gemma
    # format would drop a system message).
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert body["messages"][0]["content"].startswith("judge\n\nClaim:")


def test_json_schema_request_and_answer() -> None:
    with StubLLM() as stub:
        answer = ask(stub, method="json_schema")
    assert answer.value is not None and answer.value.label == "not_addressed"
    body = stub.requests[0]["body"]
    assert body["response_format"]["type"] == "json_schema" and "tools" not in body


def test_openai_keeps_its_system_message() -> None:
    chat = OpenAIChat("gpt-4o-mini", "sk-x", None)
    assert chat.method == "json_schema" and chat.merge_system is False


def test_429_is_retried_after_the_retry_after_delay() -> None:
    with StubLLM(faults=["429"], retry_after=1.0) as stub:
        answer = ask(stub)
    assert answer.value is not None
    assert len(stub.requests) == 2
    assert stub.request_times[1] - stub.request_times[0] >= 0.9


def test_500_is_retried() -> None:
    with StubLLM(faults=["500", "500"]) as stub:
        answer = ask(stub)
    assert answer.value is not None and len(stub.requests) == 3


@pytest.mark.parametrize("fault", ["garbage", "empty", "truncated"])
def test_malformed_answers_are_retried_then_succeed(fault: str) -> None:
    with StubLLM(faults=[fault]) as stub:
        answer = ask(stub)
    assert answer.value is not None, answer.error


@pytest.mark.parametrize("fault", ["garbage", "empty", "truncated", "hang", "500"])
def test_persistent_faults_end_unscored_with_the_reason(fault: str) -> None:
    with StubLLM(faults=[fault] * 20) as stub:
        answer = ask(stub, timeout=1)
    assert answer.value is None and answer.error.startswith("the LLM call failed")
    assert len(stub.requests) == 3  # one retry policy: checker's 2 retries, the SDK's are off


def test_rejected_key_stops_with_one_line_and_no_secret() -> None:
    with StubLLM(faults=["401"]) as stub, pytest.raises(LLMError) as info:
        ask(stub, api_key="sk-secret-123456")
    line = info.value.one_line()
    assert "refused the credentials (401)" in line and "sk-secret" not in line


def test_cli_compare_end_to_end_over_http(fake_embeddings, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.cli import app

    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-abcdef")
    with StubLLM() as stub:
        result = CliRunner().invoke(
            app,
            [
                "compare",
                str(CORPUS / "2022-04-06-esocialnews-fully-withdrawn.md"),
                str(CORPUS / "2022-03-29-yahoo-pentagon-casts-doubt.md"),
                "--base-url",
                stub.base_url,
                "--format",
                "json",
                "--concurrency",
                "3",
            ],
        )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["endpoint"] == stub.base_url and data["results"]
    assert {r["verdict"]["label"] for r in data["results"]} == {"not_addressed"}
    assert stub.requests[0]["headers"]["authorization"] == "Bearer sk-secret-abcdef"
    assert "sk-secret" not in result.output + result.stderr


def test_schemas_sent_to_servers_carry_no_numeric_bounds() -> None:
    """llama.cpp's grammar hangs on minimum/maximum; ranges are validated after parsing."""
    from checker.claims.llm_claims import ExtractedClaims

    for schema in (JudgeAnswer, ExtractedClaims):
        text = json.dumps(schema.model_json_schema())
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            assert keyword not in text, (schema.__name__, keyword)
