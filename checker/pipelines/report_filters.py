"""What a report leaves out, and why: pairs between wire copies of one text (they agree by
construction), and, for a polling job, conflicts an earlier run already reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.articles.copies import CopyGroup
from checker.pipelines.report_models import Report

if TYPE_CHECKING:  # pragma: no cover
    from checker.pipelines.report_pairs import Candidate


def apart_from_copies(candidates: list[Candidate], groups: list[CopyGroup]) -> tuple[list[Candidate], int]:
    """The candidates that are not between two copies of one text, and how many were: copies
    agree by construction, and judging them would count one source as two (the real run and
    its dry run both leave them out)."""
    group_of = {member: number for number, group in enumerate(groups) for member in group.members}
    kept = [c for c in candidates if group_of.get(c.earlier[0].id, -1) != group_of.get(c.later[0].id, -2)]
    return kept, len(candidates) - len(kept)


def only_new_conflicts(report: Report) -> Report:
    """The report with only the conflicts judged by this run, not reused from an earlier one:
    what a polling job wants to hear about (``report --new-only``)."""
    fresh = {p.id for p in report.pairs if p.verdict is not None and not p.reused}
    return report.model_copy(update={"conflicts": [c for c in report.conflicts if c.pair in fresh], "new_only": True})
