"""What a model's tokens cost: the published price list checker estimates budgets and bills from."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

# USD per million tokens (input, output), from OpenAI's published price list as it stood when
# GPT-4.1 was released. Unknown models report tokens only, never a guessed cost. Estimates and
# bills print this date, so a reader knows how old the prices are.
PRICES_AS_OF = "2025-04-14"
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o4-mini": (1.10, 4.40),
}


OPENAI = "https://api.openai.com/v1"


def is_local(endpoint: str | None) -> bool:
    """An endpoint on this machine (loopback): a model it serves costs nothing per token."""
    host = urlsplit(endpoint or OPENAI).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def estimate_cost(model: str, input_tokens: int, output_tokens: int, endpoint: str | None = None) -> float | None:
    """The cost in US dollars: zero for a model served on this machine; the price list for a
    model served by OpenAI; None (unknown) for anything else, since the same name at another
    provider is priced by that provider, never by someone else's list."""
    if is_local(endpoint):
        return 0.0
    if urlsplit(endpoint or OPENAI).hostname != "api.openai.com":
        return None
    price = PRICES_PER_MTOK.get(model) or PRICES_PER_MTOK.get(re.sub(r"-\d{4}-\d{2}-\d{2}$", "", model))
    if price is None:
        return None
    return (input_tokens * price[0] + output_tokens * price[1]) / 1_000_000
