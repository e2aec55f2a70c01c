"""`checker eval`'s table: one suite's scores as a person reads them, never a raw dict."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from checker.evaluation.records import SuiteResult

# Shown elsewhere in the table (the title, the per-label rows, the confusion rows).
_APART = ("per_label", "confusion", "mode", "limit")


def eval_table(report: SuiteResult) -> Table:
    m = report.metrics
    mode = f" ({m['mode']})" if m.get("mode") else ""
    table = Table(title=f"{report.suite}{mode}: {report.cases} cases, {report.judge} judge {report.model or ''}", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in m.items():
        if key in _APART or value is None:
            continue
        if isinstance(value, dict):
            table.add_row(key.replace("_", " "), _subset(value))
        else:
            table.add_row(key.replace("_", " "), _number(key, value))
    for label, scores in m.get("per_label", {}).items():
        table.add_row(f"{label}: precision / recall / F1", f"{scores['precision']} / {scores['recall']} / {scores['f1']} (n={scores['support']})")
    for expected, row in m.get("confusion", {}).items():
        shown = ", ".join(f"{predicted} {n}" for predicted, n in row.items() if n)
        table.add_row(f"expected {expected}, judged", shown or "-")
    return table


def _number(key: str, value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) and key == "cost_usd" else str(value)


def _subset(scores: dict[str, Any]) -> str:
    """The scores of a subset of the cases (e.g. those with an injection): its headline
    figures, not its nested tables (the per-label and confusion rows cover the whole suite)."""
    parts = [f"{k.replace('_', ' ')} {v}" for k, v in scores.items() if not isinstance(v, dict)]
    return ", ".join(parts) or "-"
