"""`checker ingest`, `checker articles`, `checker search`: building and reading the index."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from checker.cli.app import (
    ChromaUrlOption,
    FormatOption,
    OutputFormat,
    StoreOption,
    app,
    err,
    inputs_of,
    out,
    print_json,
    settings_from,
    tell_ingest,
    user_errors,
    workspace,
)
from checker.cli.options import OutletsOption, UrlsOption
from checker.errors import InputError


@app.command()
@user_errors
def ingest(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Article files, folders or page URLs (.txt .md .html .json .jsonl, http(s)://...).", show_default=False),
    ] = None,
    feed: Annotated[
        list[str] | None,
        typer.Option("--feed", help="An RSS or Atom feed: its new and updated entries' pages are read (repeatable).", show_default=False),
    ] = None,
    urls: UrlsOption = None,
    outlets: OutletsOption = None,
    ignore_robots: Annotated[bool, typer.Option("--ignore-robots", help="Read pages robots.txt disallows (only sites you may read).")] = False,
    reclean: Annotated[
        bool, typer.Option("--reclean", help="Clean every page read from the web again from its kept copy; nothing is fetched.")
    ] = False,
    store: StoreOption = None,
    chroma_url: ChromaUrlOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Read, clean, chunk and index articles from files, URLs and feeds. Unchanged ones are skipped; changed ones replaced."""
    # Imported in each command, not at the top: `checker --help` should not pay for them.
    from checker import render
    from checker.pipelines.ingest import IngestReport

    inputs = inputs_of(paths, urls)
    if not inputs and not feed and not reclean:
        raise InputError("nothing to ingest", "Give files, folders or URLs, --urls FILE, --feed URL, or --reclean")
    space = workspace(settings_from(store, chroma_url, outlets=outlets, robots=False if ignore_robots else None))
    with Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal
    ) as bar:
        task = bar.add_task("files", total=None)
        report = space.reclean() if reclean else IngestReport()
        if inputs or feed:
            ingested = space.ingest(inputs, progress=lambda done, total: bar.update(task, completed=done, total=total), feeds=feed or [])
            report.outcomes += ingested.outcomes
            report.warnings += ingested.warnings

    tell_ingest(report)
    if output is OutputFormat.json:
        print_json(report.outcomes and render.to_json(report.outcomes) or "[]")
    else:
        counts = ", ".join(f"{report.count(s)} {s}" for s in ("added", "updated", "repaired", "unchanged", "skipped") if report.count(s))
        out.print(
            f"Ingested into {space.store.where}: {counts or 'nothing'}; {space.store.count_chunks()} chunks in the index.",
            highlight=False,
            soft_wrap=True,
        )
    if report.stored == 0:
        # The hint follows why: files of no supported type, or each file's own reason above
        # (an id clash is fixed by an id, never by another file type).
        only_types = (
            bool(report.warnings)
            and not report.outcomes
            and all("unsupported file type" in w or "no readable articles" in w for w in report.warnings)
        )
        raise InputError(
            "nothing could be ingested from " + (" ".join([*inputs, *(feed or [])]) or "the kept pages"),
            "Give .txt, .md, .html, .json or .jsonl articles" if only_types else "Each file's reason is given above",
        )


@app.command()
@user_errors
def articles(
    store: StoreOption = None,
    chroma_url: ChromaUrlOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """List the indexed articles with outlet, date and size."""
    from checker import render

    found = workspace(settings_from(store, chroma_url)).store.articles()
    if output is OutputFormat.json:
        print_json(render.to_json(found))
    elif not found:
        out.print("The index is empty. Add articles with `checker ingest PATH`.")
    else:
        out.print(render.articles_table(found))


@app.command()
@user_errors
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in plain words.", show_default=False)],
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="How many passages to show.")] = 5,
    outlet: Annotated[
        str | None, typer.Option("--outlet", help="Only passages from this outlet (exact name, see `checker articles`).", show_default=False)
    ] = None,
    store: StoreOption = None,
    chroma_url: ChromaUrlOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Find the passages closest in meaning to QUERY, with outlet, date and score."""
    from checker import render
    from checker.pipelines.search import search as run_search

    hits = run_search(workspace(settings_from(store, chroma_url)).store, query, k=k, outlet=outlet)
    if output is OutputFormat.json:
        print_json(render.to_json(hits))
    elif not hits:
        out.print("No passages found." + (f" Is '{outlet}' an outlet in `checker articles`?" if outlet else " Is the index empty?"))
    else:
        out.print(render.search_table(query, hits))
