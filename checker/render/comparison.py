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
    return (f"LLM calls: {usage.calls} made, {usage.cached} from cache{failed}; "
            f"tokens: {usage.input_tokens} in, {usage.output_tokens} out{cost}; {usage.seconds:.1f} s")


def summary_line(comparison: Comparison) -> str:
    return ", ".join(f"{n} {label}" for label, n in comparison.summary.items() if n) or "no claims judged"


def comparison_table(comparison: Comparison) -> Group:
    gap = days_apart(comparison)
    header = Text()
    header.append("A ", style="bold")
    header.append(_article(comparison.article_a) + "\n")
    header.append("B ", style="bold")
    header.append(_article(comparison.article_b))
    if gap is not None:
        header.append(f"\n{gap} day{'s' if gap != 1 else ''} apart", style="dim")
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("claim", ratio=3)
    table.add_column("verdict", no_wrap=True)
    table.add_column("evidence and reason", ratio=4)
    for number, result in enumerate(comparison.results, 1):
        table.add_row(str(number), _claim_cell(result), _verdict_cell(result), _evidence_cell(result))
    footer = Text(f"{summary_line(comparison)}\njudge: {comparison.judge}", style="dim")
    for failure in comparison.failures:
        footer.append(f"\nmissing: {failure}", style="bold magenta")
    if comparison.claims_dropped:
        footer.append(f"\n{comparison.claims_dropped} extracted claim(s) dropped: their source sentence is not in the article")
    footer.append("\n" + usage_line(comparison.usage))
    return Group(header, table, footer)


def _claim_cell(result: ClaimResult) -> Text:
    cell = Text(result.claim.text)
    origin = "A" if result.direction == "a->b" else "B"
    cell.append(f"\n{origin} · {result.claim.speaker} · {result.claim.when or 'undated'} · {result.claim.kind}", style="dim")
    return cell


def _verdict_cell(result: ClaimResult) -> Text:
    verdict = result.verdict
    cell = Text(verdict.label, style=LABEL_STYLE[verdict.label])
    if verdict.confidence is not None:
        cell.append(f"\n{verdict.confidence:.2f}", style="dim")
    return cell


def _evidence_cell(result: ClaimResult) -> Text:
    verdict = result.verdict
    cell = Text()
    if verdict.quote:
        cell.append(f"“{verdict.quote}”", style="italic")
        cell.append(f" [{verdict.quote_start}:{verdict.quote_end}]\n", style="dim")
    if verdict.rationale:
        cell.append(verdict.rationale)
    if verdict.error:
        cell.append(verdict.error, style="magenta")
    if verdict.quote_note:
        cell.append(f"\n({verdict.quote_note})", style="dim")
    return cell


def comparison_markdown(comparison: Comparison) -> str:
    return _markdown.get_template("comparison.md.j2").render(
        c=comparison, gap=days_apart(comparison), summary=summary_line(comparison), usage=usage_line(comparison.usage),
        article=_article).strip() + "\n"


def comparison_html(comparison: Comparison) -> str:
    return _templates.get_template("comparison.html.j2").render(
        c=comparison, gap=days_apart(comparison), summary=summary_line(comparison), usage=usage_line(comparison.usage),
        article=_article)
