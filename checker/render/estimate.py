"""A dry run's estimate for people: what the run would extract, judge, call and cost."""

from __future__ import annotations

from rich.table import Table

from checker.pipelines.estimate import Estimate


def duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def estimate_table(estimate: Estimate) -> Table:
    table = Table(
        title=f"checker {estimate.command} --dry-run: nothing was stored, no LLM was called",
        title_justify="left",
        caption="\n".join(estimate.notes) or None,
        caption_justify="left",
        show_header=False,
    )
    table.add_column("what", style="bold")
    table.add_column("estimate", justify="right")
    cost = "unknown (price not listed)" if estimate.cost_usd is None else f"${estimate.cost_usd:,.4f}"
    if estimate.prices_as_of and estimate.cost_usd is not None:
        cost += f" (prices of {estimate.prices_as_of})"
    rows = [
        ("articles", f"{estimate.articles:,}"),
        ("articles to extract claims from", f"{estimate.articles_to_extract:,}"),
        ("claims (known / estimated)", f"{estimate.claims_known:,} / {estimate.claims_estimated:,}"),
        ("claims to judge" if estimate.command == "compare" else "claim pairs to judge", f"{estimate.pairs:,}"),
        ("  of which judged before (free)", f"{estimate.pairs_stored:,}"),
        ("LLM calls (extraction + judging)", f"{estimate.calls:,} ({estimate.extraction_calls:,} + {estimate.judge_calls:,})"),
        ("tokens in / out", f"{estimate.input_tokens:,} / {estimate.output_tokens:,}"),
        (f"cost with {estimate.model}" if estimate.model else "cost", cost if estimate.model else "$0 (offline)"),
    ]
    if estimate.model:
        rows.append(("LLM time", "unknown (never timed here)" if estimate.seconds is None else f"about {duration(estimate.seconds)}"))
    for what, value in rows:
        table.add_row(what, value)
    return table
