"""`checker report PATH...`: a consistency report over a whole corpus."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from checker.cli.app import (
    ChromaUrlOption,
    StoreOption,
    app,
    command_line,
    err,
    inputs_of,
    offline_note,
    out,
    settings_from,
    tell_ingest,
    user_errors,
    wait_note,
    workspace,
    write_output,
)
from checker.cli.options import (
    BaseUrlOption,
    ConcurrencyOption,
    DryRunOption,
    ExtractKind,
    ExtractOption,
    JudgeKind,
    JudgeOption,
    MaxClaimsOption,
    ModelOption,
    OutletsOption,
    StructuredOutputOption,
    UrlsOption,
    format_for,
)
from checker.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from checker.pipelines.report_models import Report
    from checker.pipelines.workspace import Workspace


class ReportFormat(str, Enum):
    html = "html"
    markdown = "markdown"
    json = "json"


STAGES = {"claims": "extracting claims", "verdicts": "judging pairs"}


def render_report(report: Report, output: ReportFormat) -> str:
    from checker.render.report import report_html, report_markdown

    if output is ReportFormat.json:
        return report.model_dump_json(indent=2) + "\n"
    if output is ReportFormat.html:
        return report_html(report)
    return report_markdown(report)


@app.command()
@user_errors
def report(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Article files, folders or page URLs; new and changed ones are ingested first.", show_default=False),
    ] = None,
    urls: UrlsOption = None,
    outlets: OutletsOption = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the report here (its suffix sets the format: .html, .md, .json).", show_default=False)
    ] = None,
    output: Annotated[
        ReportFormat | None, typer.Option("--format", "-f", help="html, markdown or json. \\[default: from --out, else markdown]", show_default=False)
    ] = None,
    neighbours: Annotated[
        int, typer.Option("-k", "--neighbours", min=1, max=20, help="Nearest claims from other outlets paired with each claim.")
    ] = 3,
    min_similarity: Annotated[
        float, typer.Option("--min-similarity", min=0.0, max=1.0, help="Claims less similar than this are never paired.")
    ] = 0.5,
    max_calls: Annotated[
        int | None,
        typer.Option("--max-calls", min=0, help="Stop after this many paid LLM calls; the report says what is missing.", show_default=False),
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option(
            "--budget", min=0.0, help="Stop once the estimated cost reaches this many US dollars (models with a known price).", show_default=False
        ),
    ] = None,
    judge: JudgeOption = JudgeKind.auto,
    extract: ExtractOption = ExtractKind.auto,
    max_claims: MaxClaimsOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    structured_output: StructuredOutputOption = None,
    concurrency: ConcurrencyOption = None,
    fail_on_contradict: Annotated[
        bool, typer.Option("--fail-on-contradict", help="Exit with code 1 if any pair contradicts, for CI pipelines.")
    ] = False,
    new_only: Annotated[
        bool,
        typer.Option("--new-only", help="List only conflicts judged in this run: new since the last run on this store (for polling)."),
    ] = False,
    dry_run: DryRunOption = False,
    store: StoreOption = None,
    chroma_url: ChromaUrlOption = None,
) -> None:
    """Which outlets agree and disagree, on which events, and how the story changed over time."""
    settings = settings_from(
        store,
        chroma_url,
        max_claims=max_claims,
        model=model,
        base_url=base_url,
        structured_output=structured_output.value if structured_output else None,
        concurrency=concurrency,
        outlets=outlets,
    )
    paths = inputs_of(paths, urls)
    if not paths:
        raise InputError("nothing to report on", "Give article files, folders or URLs, or --urls FILE")
    if dry_run:
        _dry_run(workspace(settings, read_only=True), paths, judge, extract, neighbours, min_similarity, output)
        return
    chosen = format_for(output, out_file, ReportFormat.markdown)
    space = workspace(settings)
    # Checked before any paid call: a report that cannot be written is money wasted.
    space.guard_output(out_file, list(paths))
    # Imported here, not at the top: `checker --help` and the other commands should not pay for them.
    from checker.llm.asking import Budget
    from checker.pipelines.report import ReportOptions, build_report, require_outlets
    from checker.pipelines.report_filters import only_new_conflicts
    from checker.render.report import summary_line

    judging = space.judging(judge.value, extract.value, Budget(max_calls=max_calls, max_cost_usd=budget))
    # One writer per store: a second report on it waits, then reuses this run's claims and verdicts.
    with space.run(command_line(ctx), on_wait=wait_note) as record:
        ingested = space.ingest(paths)
        tell_ingest(ingested)
        articles = space.articles_of(paths, ingested)
        require_outlets(articles)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
                bar.update(tasks[stage], completed=done, total=total)

            built = build_report(
                articles,
                space.store,
                judging,
                space.results,
                ReportOptions(neighbours=neighbours, min_similarity=min_similarity, concurrency=settings.concurrency, top_k=settings.top_k),
                progress=progress,
            )
        record.usage = built.usage
    if new_only:
        built = only_new_conflicts(built)

    write_output(render_report(built, chosen), out_file)
    err.print(summary_line(built), highlight=False, soft_wrap=True)
    offline_note(judge, judging, settings)
    for why in built.coverage.failed_articles.values():
        err.print(f"[red]error:[/red] {why}", markup=True, highlight=False, soft_wrap=True)
    if built.partial:
        err.print(
            "partial report: run the same command again to judge the missing pairs (finished verdicts are kept).", highlight=False, soft_wrap=True
        )
    if built.coverage.failed_articles and not built.coverage.judged:
        # Nothing could be judged: the report says why, and a CI gate must not pass on it.
        err.print("failing: nothing could be judged", highlight=False)
        raise typer.Exit(1)
    if fail_on_contradict and any(c.label == "contradict" for c in built.conflicts):
        err.print("failing: contradicting pairs were found (--fail-on-contradict)", highlight=False)
        raise typer.Exit(1)


def _dry_run(
    space: Workspace, paths: list[str], judge: JudgeKind, extract: ExtractKind, neighbours: int, min_similarity: float, output: ReportFormat | None
) -> None:
    """What the report would cost: the articles read, not indexed; stored claims and verdicts read, not changed."""
    from checker.pipelines.estimate import estimate_report
    from checker.render.estimate import estimate_table

    articles, read = space.read(paths)
    for outcome in read.outcomes:
        err.print(f"[yellow]skipped:[/yellow] {outcome.message}", highlight=False, soft_wrap=True)
    if len({a.outlet for a in articles}) < 2:
        raise InputError(
            f"{len(articles)} articles from {len({a.outlet for a in articles})} outlets in " + " ".join(str(p) for p in paths),
            "A report compares outlets: give articles from at least two",
        )
    judging = space.judging(judge.value, extract.value)
    estimate = estimate_report(articles, judging, space.results, space.settings, neighbours, min_similarity)
    if output is ReportFormat.json:
        sys.stdout.write(estimate.model_dump_json(indent=2) + "\n")
    else:
        out.print(estimate_table(estimate))
