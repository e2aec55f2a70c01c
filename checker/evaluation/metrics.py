"""Scores of judged labels against the expected ones: what every suite and eval file reports."""

from __future__ import annotations

from typing import Any

from checker.schemas import JUDGED_LABELS, LABELS


def label_metrics(pairs: list[tuple[str, str]], judged: tuple[str, ...] = JUDGED_LABELS) -> dict[str, Any]:
    """Accuracy, macro-F1 over the expected labels, per-label P/R/F1, confusion, unscored rate.
    ``judged``: the labels a case may expect (a binary data set's are agree / not_supported)."""
    n = len(pairs)
    labels = [label for label in judged if any(expected == label for expected, _ in pairs)]
    columns = tuple(dict.fromkeys([*judged, *LABELS])) if judged == JUDGED_LABELS else (*judged, "unscored")
    per_label: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(e == label and p == label for e, p in pairs)
        fp = sum(e != label and p == label for e, p in pairs)
        fn = sum(e == label and p != label for e, p in pairs)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "support": tp + fn}
    confusion = {e: {p: sum(1 for x, y in pairs if x == e and y == p) for p in columns} for e in labels}
    return {
        "accuracy": round(sum(e == p for e, p in pairs) / n, 3) if n else 0.0,
        "macro_f1": round(sum(m["f1"] for m in per_label.values()) / len(per_label), 3) if per_label else 0.0,
        "per_label": per_label,
        "confusion": confusion,
        "unscored_rate": round(sum(p == "unscored" for _, p in pairs) / n, 3) if n else 0.0,
    }
