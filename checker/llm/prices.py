"""What a model's tokens cost: the published price list checker estimates budgets and bills from."""

from __future__ import annotations

import re

# USD per million tokens (input, output), from the providers' published price lists.
# Unknown models report tokens only, never a guessed cost.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o4-mini": (1.10, 4.40),
}


def estimate_cost(model: str, input_tokens: int, output_tokens: int) -> float | None:
    price = PRICES_PER_MTOK.get(model) or PRICES_PER_MTOK.get(re.sub(r"-\d{4}-\d{2}-\d{2}$", "", model))
    if price is None:
        return None
    return (input_tokens * price[0] + output_tokens * price[1]) / 1_000_000
