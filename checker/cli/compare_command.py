"""`checker compare A B`: claim by claim, does article B agree with article A?"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from checker.cli.app import ChromaUrlOption, StoreOption, app, check_out_path, err, out, settings_from, user_errors, write_output, writer_lock
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
    from checker.config import Settings
    from checker.schemas import Article, Comparison
    from checker.storage.store import Store


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


def _not_one_article(given: str, problem: str) -> InputError:
    return InputError(f"{given}: cannot compare this file ({problem})", "Give one article per file, or an article id from `checker articles`")


def _no_such_article(given: str) -> InputError:
    return InputError(f"{given}: no such file, and no indexed article with that id", "Give a file path, or an id from `checker articles`")


def resolve_article(given: str, store: Store, settings: Settings) -> Article:
    """An article from a file (ingested first, a no-op if unchanged) or an indexed id."""
    from checker.pipelines.ingest import ingest

    path = Path(given)
    if path.exists():
        report = ingest([path], store, settings)
        stored_ids = [o.article_id for o in report.outcomes if o.status != "skipped" and o.article_id]
        if len(stored_ids) != 1:
            problem = next((o.message for o in report.outcomes if o.message), None) or f"{len(stored_ids)} articles in it"
            raise _not_one_article(given, problem)
        article_id = stored_ids[0]
    else:
        article_id = given
    stored = store.get_article(article_id)
    if stored is None:
        raise _no_such_article(given)
    return stored.article


@app.command()
@user_errors
def compare(
    article_a: Annotated[str, typer.Argument(metavar="A", help="File, or id of an indexed article, whose claims are checked.", show_default=False)],
    article_b: Annotated[str, typer.Argument(metavar="B", help="File, or id of an indexed article, checked against.", show_default=False)],
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
        _dry_run(article_a, article_b, both_ways, judge, settings, extract, output)
        return
    check_out_path(out_file, [Path(article_a), Path(article_b)], settings.store)
    with writer_lock(settings.store):
        comparison = _run(article_a, article_b, both_ways, judge, settings, extract)
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


def _read_article(given: str, settings: Settings) -> Article:
    """An article from a file, read and not indexed, or an already indexed id: for a dry run."""
    from checker.articles.loading import load_file

    path = Path(given)
    if path.exists():
        articles = load_file(path, int(settings.max_file_mb * 1_000_000)).articles
        if len(articles) != 1:
            raise _not_one_article(given, f"{len(articles)} articles in it")
        return articles[0]
    if settings.chroma_url or settings.store.exists():
        from checker.storage.store import open_store

        stored = open_store(settings.store, settings.chroma_url, settings.collection_prefix).get_article(given)
        if stored is not None:
            return stored.article
    raise _no_such_article(given)


def _dry_run(
    article_a: str, article_b: str, both_ways: bool, judge: JudgeKind, settings: Settings, extract: ExtractKind, output: CompareFormat
) -> None:
    from checker.pipelines.estimate import estimate_compare
    from checker.pipelines.judging import build as build_judging
    from checker.render.estimate import estimate_table
    from checker.storage.results import Results

    a, b = _read_article(article_a, settings), _read_article(article_b, settings)
    if a.id == b.id:
        raise InputError(f"A and B are the same article ({a.id})", "Give two different articles")
    results = Results(settings.results_db, read_only=True)
    estimate = estimate_compare(a, b, build_judging(judge.value, settings, results, extract.value), results, settings, both_ways)
    if output is CompareFormat.json:
        sys.stdout.write(estimate.model_dump_json(indent=2) + "\n")
    else:
        out.print(estimate_table(estimate))


def _run(
    article_a: str, article_b: str, both_ways: bool, judge: JudgeKind, settings: Settings, extract: ExtractKind = ExtractKind.auto
) -> Comparison:
    # Imported here, not at the top: `checker --help` and the other commands should not pay for them.
    from checker.pipelines.compare import CompareOptions, compare_with
    from checker.pipelines.judging import build as build_judging
    from checker.storage.results import Results
    from checker.storage.store import open_store

    index = open_store(settings.store, settings.chroma_url, settings.collection_prefix)
    results = Results(settings.results_db)
    # The inputs first: a wrong path is reported before any model is loaded.
    a = resolve_article(article_a, index, settings)
    b = resolve_article(article_b, index, settings)
    if a.id == b.id:
        raise InputError(f"A and B are the same article ({a.id})", "Give two different articles")
    judging = build_judging(judge.value, settings, results, extract.value)

    run_id = results.start_run(" ".join(["compare", *sys.argv[2:]])[:500])
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
            index,
            results,
            CompareOptions(top_k=settings.top_k, both_ways=both_ways, concurrency=settings.concurrency),
            progress=lambda stage, done, total: bar.update(task, description=stages[stage], completed=done, total=total),
        )
    results.finish_run(run_id, comparison.usage.model_dump())
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
