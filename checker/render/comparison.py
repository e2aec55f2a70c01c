"""A Comparison as a terminal table, Markdown or a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import jinja2
from rich.console import Group
from rich.table import Table
from rich.text import Text

from checker.render import markdown
from checker.schemas import ArticleRef, ClaimResult, Comparison, Usage

LABEL_STYLE = {"agree": "green", "contradict": "bold red", "superseded": "yellow", "not_addressed": "dim", "unscored": "magenta"}
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,  # article text is untrusted: it must never become markup
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_markdown = markdown.environment()  # escapes every value it prints (checker/render/markdown.py)


def _article(ref: ArticleRef) -> str:
    return f"{ref.outlet}, {ref.published or 'date unknown'}: {ref.title}"


def days_apart(comparison: Comparison) -> int | None:
    a, b = comparison.article_a.published, comparison.article_b.published
    return abs((b - a).days) if a and b else None


def usage_line(usage: Usage) -> str:
    if usage.calls == usage.cached == usage.failed == 0:
        return f"no LLM calls; {usage.seconds:.1f} s"
    cost = f", about ${usage.cost_usd:.4f}" if usage.cost_usd is not None else ""
    failed = f", {usage.failed} failed" if usage.failed else ""
    return (
        f"LLM calls: {usage.calls} made, {usage.cached} from cache{failed}; "
        f"tokens: {usage.input_tokens} in, {usage.output_tokens} out{cost}; {usage.seconds:.1f} s"
    )


def summary_line(comparison: Comparison) -> str:
    return verdict_counts(comparison)


CONFLICTS = ("contradict", "superseded")


def comparison_table(comparison: Comparison, show_all: bool = False) -> Group:
    """The terminal view, in the order a fact-checker reads: who against whom and the answer
    first, then the conflicts with both sides quoted, then agreements; claims the other
    article does not address are one line unless ``show_all``. Rich lays out the rows."""
    results = comparison.results
    conflicts = [r for r in results if r.verdict.label in CONFLICTS]
    agreements = [r for r in results if r.verdict.label == "agree"]
    unscored = [r for r in results if r.verdict.label == "unscored"]
    silent = [r for r in results if r.verdict.label == "not_addressed"]
    parts: list = [_summary(comparison, conflicts)]
    for title, rows in (("Conflicts", conflicts), ("Agreements", agreements), ("Unscored", unscored)):
        if rows:
            parts.append(Text(f"\n{title} ({len(rows)})", style="bold"))
            parts.append(_rows(rows))
    if silent and show_all:
        parts.append(Text(f"\nNot addressed ({len(silent)})", style="bold"))
        parts.append(_rows(silent))
    elif silent:
        parts.append(Text(f"\n{len(silent)} claim(s) not addressed by the other article (--all lists them)", style="dim"))
    footer = Text(f"\njudge: {comparison.judge}", style="dim")
    for failure in comparison.failures:
        footer.append(f"\nmissing: {failure}", style="bold magenta")
    if comparison.claims_dropped:
        footer.append(f"\n{comparison.claims_dropped} extracted claim(s) dropped: their source sentence is not in the article")
    footer.append("\n" + usage_line(comparison.usage))
    parts.append(footer)
    return Group(*parts)


def _summary(comparison: Comparison, conflicts: list[ClaimResult]) -> Text:
    a, b = comparison.article_a, comparison.article_b
    head = Text()
    head.append("A ", style="bold")
    head.append(_article(a) + "\n")
    head.append("B ", style="bold")
    head.append(_article(b))
    gap = days_apart(comparison)
    if gap:
        older = "B" if b.published and a.published and b.published < a.published else "A"
        head.append(f"\n  {older} is {gap} day{'s' if gap != 1 else ''} older than {'A' if older == 'B' else 'B'}", style="dim")
    elif gap == 0:
        head.append("\n  published the same day", style="dim")
    head.append("\n")
    head.append(verdict_counts(comparison), style="bold")
    if conflicts:
        top = conflicts[0]
        head.append("\nMost important: ", style="bold")
        head.append(top.verdict.label, style=LABEL_STYLE[top.verdict.label])
        head.append(f" · “{_short(top.claim.source_text or top.claim.text)}” against “{_short(top.verdict.quote or '')}”")
    elif comparison.results and not comparison.judged:
        head.append("\nNothing could be judged.", style="bold magenta")
    elif comparison.results:
        head.append("\nNo conflicts found.", style="green")
    return head


def verdict_counts(comparison: Comparison) -> str:
    """ "2 contradict · 1 superseded · 3 agree · 25 not addressed", in reading order."""
    order = ("contradict", "superseded", "agree", "unscored", "not_addressed")
    parts = [f"{comparison.summary.get(label, 0)} {label.replace('_', ' ')}" for label in order if comparison.summary.get(label)]
    return " · ".join(parts) or "no claims judged"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rows(results: list[ClaimResult]) -> Table:
    table = Table(box=None, show_header=False, expand=True, pad_edge=False, padding=(0, 1, 1, 0))
    table.add_column("verdict", no_wrap=True)
    table.add_column("claim and evidence", ratio=1, overflow="fold")
    for result in results:
        table.add_row(_verdict_cell(result), _both_sides(result))
    return table


def _both_sides(result: ClaimResult) -> Text:
    origin, other = ("A", "B") if result.direction == "a->b" else ("B", "A")
    cell = Text()
    cell.append(f"{origin}: ", style="bold")
    cell.append(result.claim.text)
    cell.append(f"  ({result.claim.speaker}, {result.claim.when or 'undated'})", style="dim")
    verdict = result.verdict
    if verdict.quote:
        cell.append(f"\n{other}: ", style="bold")
        cell.append(f"“{verdict.quote}”", style="italic")
    reason = verdict.rationale or verdict.error
    if reason:
        cell.append("\n" + reason, style="magenta" if verdict.error else "dim")
    if verdict.quote_note:
        cell.append(f"\n({verdict.quote_note})", style="dim")
    return cell


def _verdict_cell(result: ClaimResult) -> Text:
    verdict = result.verdict
    cell = Text(verdict.label, style=LABEL_STYLE[verdict.label])
    if verdict.confidence is not None:
        cell.append(f"\n{verdict.confidence:.2f}", style="dim")
    return cell


def comparison_markdown(comparison: Comparison) -> str:
    return (
        _markdown.get_template("comparison.md.j2")
        .render(c=comparison, gap=days_apart(comparison), summary=summary_line(comparison), usage=usage_line(comparison.usage), article=_article)
        .strip()
        + "\n"
    )


def comparison_html(comparison: Comparison) -> str:
    return _templates.get_template("comparison.html.j2").render(
        c=comparison, gap=days_apart(comparison), summary=summary_line(comparison), usage=usage_line(comparison.usage), article=_article
    )
