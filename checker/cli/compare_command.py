"""`checker compare A B`: claim by claim, does article B agree with article A?"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from checker.cli.app import (
    ChromaUrlOption,
    StoreOption,
    app,
    command_line,
    err,
    offline_note,
    out,
    settings_from,
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
    StructuredOutputOption,
    format_for,
)
from checker.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from checker.pipelines.workspace import Workspace
    from checker.schemas import Comparison


class CompareFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


class FailOn(str, Enum):
    contradict = "contradict"
    superseded = "superseded"
    not_addressed = "not_addressed"
    unscored = "unscored"


@app.command()
@user_errors
def compare(
    ctx: typer.Context,
    article_a: Annotated[
        str, typer.Argument(metavar="A", help="File, page URL, or id of an indexed article, whose claims are checked.", show_default=False)
    ],
    article_b: Annotated[str, typer.Argument(metavar="B", help="File, page URL, or id of an indexed article, checked against.", show_default=False)],
    both_ways: Annotated[bool, typer.Option("--both-ways", help="Also check B's claims against A.")] = False,
    top_k: Annotated[
        int | None, typer.Option("-k", "--top-k", min=1, max=20, help="Passages of the other article per claim. \\[default: 4]", show_default=False)
    ] = None,
    max_claims: MaxClaimsOption = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    structured_output: StructuredOutputOption = None,
    temperature: Annotated[float | None, typer.Option("--temperature", min=0.0, max=2.0, help="\\[default: 0]", show_default=False)] = None,
    concurrency: ConcurrencyOption = None,
    output: Annotated[
        CompareFormat | None,
        typer.Option("--format", "-f", help="Output format. \\[default: from --out's suffix (.json, .md, .html), else table]", show_default=False),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the output to this file instead of the terminal (its suffix sets the format).", show_default=False),
    ] = None,
    judge: JudgeOption = JudgeKind.auto,
    extract: ExtractOption = ExtractKind.auto,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="In the terminal view, list the claims the other article does not address too (JSON, Markdown and HTML always list every verdict).",
        ),
    ] = False,
    fail_on: Annotated[
        list[FailOn] | None,
        typer.Option("--fail-on", help="Exit with code 1 if any verdict has this label (repeatable), for CI pipelines.", show_default=False),
    ] = None,
    dry_run: DryRunOption = False,
    store: StoreOption = None,
    chroma_url: ChromaUrlOption = None,
) -> None:
    """Check every claim of article A against article B: agree, contradict, superseded or not_addressed, with verbatim evidence."""
    settings = settings_from(
        store,
        chroma_url,
        top_k=top_k,
        max_claims=max_claims,
        model=model,
        base_url=base_url,
        structured_output=structured_output.value if structured_output else None,
        temperature=temperature,
        concurrency=concurrency,
    )
    output = format_for(output, out_file, CompareFormat.table)
    if dry_run:
        _dry_run(workspace(settings, read_only=True), article_a, article_b, both_ways, judge, extract, output)
        return
    space = workspace(settings)
    space.guard_output(out_file, [article_a, article_b])
    comparison = _run(space, command_line(ctx), article_a, article_b, both_ways, judge, extract)
    emit(comparison, output, out_file, show_all)
    for failure in comparison.failures:
        err.print(f"[red]error:[/red] {failure}", markup=True, highlight=False, soft_wrap=True)
    if (comparison.failures or comparison.results) and not comparison.judged:
        # Nothing was judged: a CI gate must not pass on a run that did not happen.
        err.print("failing: nothing could be judged", highlight=False)
        raise typer.Exit(1)
    # A failed extraction is unscored work: --fail-on unscored counts it.
    failing = [label.value for label in fail_on or [] if comparison.summary.get(label.value) or (label is FailOn.unscored and comparison.failures)]
    if failing:
        err.print(f"failing: verdicts labelled {', '.join(failing)} were found (--fail-on)", highlight=False)
        raise typer.Exit(1)


def _dry_run(
    space: Workspace, article_a: str, article_b: str, both_ways: bool, judge: JudgeKind, extract: ExtractKind, output: CompareFormat
) -> None:
    from checker.pipelines.estimate import estimate_compare
    from checker.render.estimate import estimate_table

    a, b = space.peek(article_a), space.peek(article_b)
    if a.id == b.id:
        raise InputError(f"A and B are the same article ({a.id})", "Give two different articles")
    estimate = estimate_compare(a, b, space.judging(judge.value, extract.value), space.results, space.settings, both_ways)
    if output is CompareFormat.json:
        sys.stdout.write(estimate.model_dump_json(indent=2) + "\n")
    else:
        out.print(estimate_table(estimate))


def _run(
    space: Workspace, command: list[str], article_a: str, article_b: str, both_ways: bool, judge: JudgeKind, extract: ExtractKind = ExtractKind.auto
) -> Comparison:
    # Imported here, not at the top: `checker --help` and the other commands should not pay for them.
    from checker.pipelines.compare import CompareOptions, compare_with

    settings = space.settings
    with space.run(command, on_wait=wait_note) as record:
        # The inputs first: a wrong path is reported before any model is loaded.
        a = space.article(article_a)
        b = space.article(article_b)
        if a.id == b.id:
            raise InputError(f"A and B are the same article ({a.id})", "Give two different articles")
        judging = space.judging(judge.value, extract.value)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as bar:
            task = bar.add_task("extracting claims", total=None)
            stages = {"claims": "extracting claims", "verdicts": "judging claims"}
            comparison = compare_with(
                judging,
                a,
                b,
                space.store,
                space.results,
                CompareOptions(top_k=settings.top_k, both_ways=both_ways, concurrency=settings.concurrency),
                progress=lambda stage, done, total: bar.update(task, description=stages[stage], completed=done, total=total),
            )
        record.usage = comparison.usage
    offline_note(judge, judging, settings)
    return comparison


def emit(comparison: Comparison, output: CompareFormat, out_file: Path | None, show_all: bool = False) -> None:
    from checker import render

    if output is CompareFormat.table and out_file is None:
        out.print(render.comparison_table(comparison, show_all))
        return
    if output is CompareFormat.json:
        text = comparison.model_dump_json(indent=2) + "\n"
    elif output is CompareFormat.markdown:
        text = render.comparison_markdown(comparison)
    elif output is CompareFormat.html:
        text = render.comparison_html(comparison)
    else:  # a table written to a file: plain text, no colour codes
        import io

        from rich.console import Console

        console = Console(record=True, width=120, file=io.StringIO())
        console.print(render.comparison_table(comparison, show_all=True))
        text = console.export_text()
    write_output(text, out_file)
