"""`checker check CLAIM [PATH...]`: is this claim supported by what we have, outlet by outlet?"""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from checker.cli.app import (
    ChromaUrlOption,
    StoreOption,
    app,
    command_line,
    err,
    inputs_of,
    out,
    print_json,
    settings_from,
    tell_ingest,
    user_errors,
    wait_note,
    workspace,
)
from checker.cli.options import BaseUrlOption, JudgeKind, JudgeOption, ModelOption, OutletsOption, UrlsOption
from checker.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from checker.pipelines.check import CheckResult


class CheckFormat(str, Enum):
    table = "table"
    json = "json"


class CheckFailOn(str, Enum):
    agree = "agree"
    contradict = "contradict"
    superseded = "superseded"
    not_addressed = "not_addressed"
    unscored = "unscored"


def read_claim(given: str) -> str:
    """The claim itself, a file holding it, or - for standard input."""
    if given == "-":
        return sys.stdin.read()
    path = Path(given)
    if len(given) < 4096 and path.suffix and path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{given}: cannot read the claim file ({exc})", "Give the claim as text, or a UTF-8 file") from None
    return given


@app.command()
@user_errors
def check(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="The claim, a file holding it, or - to read it from standard input.", show_default=False)],
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Articles to ingest first (files, folders or page URLs); without them, everything indexed.", show_default=False),
    ] = None,
    urls: UrlsOption = None,
    outlets: OutletsOption = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Only this outlet's articles.", show_default=False)] = None,
    since: Annotated[
        dt.datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="Only articles published on or after this date (YYYY-MM-DD).", show_default=False),
    ] = None,
    top_k: Annotated[
        int | None, typer.Option("-k", "--top-k", min=1, max=20, help="Passages per article. \\[default: 4]", show_default=False)
    ] = None,
    judge: JudgeOption = JudgeKind.auto,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    output: Annotated[CheckFormat, typer.Option("--format", "-f", help="table for people, json for programs.")] = CheckFormat.table,
    fail_on: Annotated[
        list[CheckFailOn] | None,
        typer.Option("--fail-on", help="Exit with code 1 if any outlet's verdict has this label (repeatable).", show_default=False),
    ] = None,
    store: StoreOption = None,
    chroma_url: ChromaUrlOption = None,
) -> None:
    """Judge one claim against every indexed article (or PATH...), outlet by outlet: agree, contradict, superseded, not_addressed."""
    # Imported here, not at the top: `checker --help` and the other commands should not pay for them.
    from checker.pipelines.check import check as run_check
    from checker.pipelines.check import claim_of

    settings = settings_from(store, chroma_url, top_k=top_k, model=model, base_url=base_url, outlets=outlets)
    paths = inputs_of(paths, urls)
    text = read_claim(claim)
    claim_of(text)  # an empty or uncheckable claim is refused before anything is ingested
    space = workspace(settings)
    only: list[str] | None = None
    with space.run(command_line(ctx), on_wait=wait_note) as record:
        if paths:
            report = space.ingest(paths)
            tell_ingest(report)
            only = [a.id for a in space.articles_of(paths, report)]  # PATH... given: only those are judged
        if outlet and outlet not in {a.outlet for a in space.store.articles()}:
            raise InputError(f"--outlet {outlet}: no indexed article is from this outlet", "See `checker articles` for the outlets")
        judging = space.judging(judge.value)
        result = run_check(
            text,
            space.store,
            judging.judge,
            k=settings.top_k,
            outlet=outlet,
            since=since.date() if since else None,
            article_ids=only,
            results=space.results,
            concurrency=settings.concurrency,
        )
        record.usage = judging.usage()
    if output is CheckFormat.json:
        print_json(result.model_dump_json(indent=2))
    else:
        out.print(check_table(result))
    failing = [label.value for label in fail_on or [] if result.summary.get(label.value)]
    if failing:
        err.print(f"failing: verdicts labelled {', '.join(failing)} were found (--fail-on)", highlight=False)
        raise typer.Exit(1)


def check_table(result: CheckResult) -> object:
    from rich.console import Group

    from checker.render.comparison import LABEL_STYLE

    head = Text()
    head.append("Claim: ", style="bold")
    head.append(f"“{result.claim}”\n")
    order = ("contradict", "superseded", "agree", "unscored", "not_addressed")
    counts = " · ".join(f"{result.summary[label]} {label.replace('_', ' ')}" for label in order if result.summary.get(label))
    head.append(f"{len(result.articles)} report(s): {counts or 'no indexed article is close to the claim'}", style="bold")
    table = Table(box=None, show_header=True, expand=True, pad_edge=False, padding=(0, 1, 1, 0))
    table.add_column("outlet, date", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("what the report says", ratio=1, overflow="fold")
    for item in result.articles:
        verdict = item.verdict
        said = Text()
        if verdict.quote:
            said.append(f"“{verdict.quote}”", style="italic")
        if verdict.rationale:
            said.append(("\n" if verdict.quote else "") + verdict.rationale, style="dim")
        table.add_row(f"{item.outlet}\n{item.published or 'undated'}", Text(verdict.label, style=LABEL_STYLE[verdict.label]), said)
    return Group(head, table, Text(f"judge: {result.judge}", style="dim"))
