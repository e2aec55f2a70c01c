"""Which model an OpenAI-compatible server serves, asked of the server itself (`/v1/models`).

With a base URL and no model named, checker used to send OpenAI's default name to a local
server and price the run at OpenAI's rates. A server serving one model (llama.cpp, a vLLM
replica) names it; one serving several must be told which (--model).
"""

from __future__ import annotations

from checker.errors import ConfigError
from checker.storage.secrets import redact_url

# Sent when the server cannot be asked (not running yet: a dry run can still count calls).
UNNAMED = "default"


def served_model(base_url: str, api_key: str | None, timeout: float = 5.0) -> str:
    """The one model the server at ``base_url`` serves; ConfigError if it serves several."""
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        response = httpx.get(base_url.rstrip("/") + "/models", headers=headers, timeout=timeout)
        response.raise_for_status()
        names = [str(item["id"]) for item in response.json().get("data", []) if isinstance(item, dict) and item.get("id")]
    except (httpx.HTTPError, ValueError, AttributeError, KeyError):
        return UNNAMED  # the call itself will say what is wrong with the server
    if len(names) == 1:
        return names[0]
    if not names:
        return UNNAMED
    shown = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
    raise ConfigError(f"the server at {redact_url(base_url)} serves {len(names)} models ({shown})", "Choose one with --model or CHECKER_MODEL")


# Where `make llm-server` serves (checker/llm/local_llm.py): the one place checker looks for a
# local model it was not told about.
LOCAL_URL = "http://127.0.0.1:8080/v1"


def local_server(base_url: str = LOCAL_URL, timeout: float = 1.0) -> str | None:
    """The model a server at ``base_url`` serves, or None when nothing answers there as an
    OpenAI-compatible server does: a detected server, never an assumed one."""
    import httpx

    try:
        response = httpx.get(base_url.rstrip("/") + "/models", timeout=timeout)
        response.raise_for_status()
        names = [str(item["id"]) for item in response.json().get("data", []) if isinstance(item, dict) and item.get("id")]
    except (httpx.HTTPError, ValueError, AttributeError, KeyError, TypeError):
        return None
    return names[0] if len(names) == 1 else None
