"""`checker review`: a fact-checker's decision on a verdict, the list of decisions, and the
reviewed verdicts as an eval file (checker/pipelines/reviews.py)."""

from __future__ import annotations

import getpass
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from checker.cli.app import (
    ChromaUrlOption,
    FormatOption,
    OutputFormat,
    StoreOption,
    app,
    out,
    print_json,
    settings_from,
    user_errors,
    workspace,
    write_output,
)
from checker.errors import InputError


class Decision(str, Enum):
    confirmed = "confirmed"
    wrong = "wrong"
    dismissed = "dismissed"


class RightLabel(str, Enum):
    agree = "agree"
    contradict = "contradict"
    superseded = "superseded"
    not_addressed = "not_addressed"


@app.command()
@user_errors
def review(
    pair: Annotated[
        str | None, typer.Argument(help="A pair id from a report (pairs[].id, p-...). Without one: list the reviews.", show_default=False)
    ] = None,
    decision: Annotated[Decision | None, typer.Option("--decision", help="confirmed, wrong (give --label) or dismissed.", show_default=False)] = None,
    label: Annotated[
        RightLabel | None, typer.Option("--label", help="With --decision wrong: the label the verdict should have had.", show_default=False)
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why, in a few words.", show_default=False)] = None,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Who decides. \\[default: your login name]", show_default=False)] = None,
    export: Annotated[
        Path | None, typer.Option("--export", help="Write the reviewed verdicts as an eval file for `checker eval FILE.jsonl`.", show_default=False)
    ] = None,
    store: StoreOption = None,
    chroma_url: ChromaUrlOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Mark a verdict confirmed, wrong or dismissed; reports then leave wrong and dismissed pairs out of their conflicts."""
    from checker.pipelines import reviews

    space = workspace(settings_from(store, chroma_url))
    if export is not None:
        space.guard_output(export)
        text, written, left_out = reviews.export(space.results, space.store)
        write_output(text, export)
        out.print(
            f"{written} reviewed verdicts written as eval cases; {left_out} left out (dismissed, or no quote to judge against).", highlight=False
        )
        return
    if pair is None:
        if decision is not None:
            raise InputError("--decision needs the pair it decides", "Give the pair id first: checker review p-... --decision confirmed")
        _list(space.results.reviews(), output)
        return
    if decision is None:
        raise InputError(f"{pair}: no --decision given", "Add --decision confirmed, wrong (with --label) or dismissed")
    with space.run(["review", pair, decision.value]):
        done = reviews.review(space.results, pair, decision.value, reviewer or _login(), label.value if label else None, note)
    if output is OutputFormat.json:
        print_json(done.model_dump_json(indent=2))
    else:
        right = f" (should be {done.right_label})" if done.right_label else ""
        out.print(f"{pair}: the {done.label} verdict marked {done.decision}{right} by {done.reviewer}.", highlight=False)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reviewer"


def _list(found: list[dict], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        import json

        print_json(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if not found:
        out.print("No reviews yet. Mark a verdict with `checker review PAIR --decision confirmed|wrong|dismissed`.")
        return
    table = Table("pair", "verdict", "decision", "reviewer", "note", title="Reviews, oldest first", title_justify="left")
    for row in found:
        decided = row["decision"] + (f" → {row['right_label']}" if row.get("right_label") else "")
        table.add_row(row["pair_id"], row["label"], decided, row["reviewer"], row.get("note") or "")
    out.print(table)
