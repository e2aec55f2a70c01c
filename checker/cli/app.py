"""The Typer app, its shared options, and how errors reach the user.

A ``CheckerError`` becomes one line on stderr and exit code 2; Ctrl-C exits 130 with what
was finished kept; any other exception is a bug, shown as one line unless ``CHECKER_DEBUG=1``
asks for the traceback.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from checker import __version__
from checker.choices import JudgeKind
from checker.errors import CheckerError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from checker.config import Settings
    from checker.pipelines.ingest import IngestReport
    from checker.pipelines.judging import Judging
    from checker.pipelines.workspace import Workspace

app = typer.Typer(
    name="checker",
    help="Check whether news outlets agree on the facts: ingest articles, search them, compare them claim by claim.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

out = Console(soft_wrap=False)
err = Console(stderr=True)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


StoreOption = Annotated[
    Path | None, typer.Option("--store", help="Folder of the local index. \\[env: CHECKER_STORE; default: .checker]", show_default=False)
]
ChromaUrlOption = Annotated[
    str | None,
    typer.Option(
        "--chroma-url",
        help="Use a Chroma server instead of the local folder, e.g. http://127.0.0.1:8000. \\[env: CHECKER_CHROMA_URL]",
        show_default=False,
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table for people, json for programs.")]

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn errors into one line and an exit code instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CheckerError as exc:
            err.print(f"[red]error:[/red] {exc.one_line()}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted: finished work is kept; run the same command again to resume.")
            raise typer.Exit(130) from None
        except typer.Exit:
            raise
        except Exception as exc:
            if os.environ.get("CHECKER_DEBUG"):
                raise
            err.print(
                f"[red]internal error:[/red] {type(exc).__name__}: {exc}. Run again with CHECKER_DEBUG=1 for the traceback, and report it.",
                markup=True,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def settings_from(store: Path | None, chroma_url: str | None, **flags: Any) -> Settings:
    from checker.config import NOTES, load_settings  # pydantic-settings: paid by commands, not by --help

    settings = load_settings(store=store, chroma_url=chroma_url, **flags)
    for note in dict.fromkeys(NOTES):
        err.print(f"[yellow]warning:[/yellow] {note}", highlight=False, soft_wrap=True)
    NOTES.clear()
    return settings


def inputs_of(given: list[str] | None, urls_file: Path | None) -> list[str]:
    """A command's inputs: its arguments (paths and URLs), then the URLs of --urls FILE."""
    from checker.pipelines.web_ingest import read_url_list

    return list(given or []) + (read_url_list(urls_file) if urls_file else [])


def workspace(settings: Settings, read_only: bool = False) -> Workspace:
    """The workspace a command works in: its stores, inputs, outputs and run (checker.pipelines.workspace)."""
    from checker.pipelines.workspace import Workspace

    return Workspace(settings, read_only=read_only)


def command_line(ctx: typer.Context) -> list[str]:
    """The running command as its user typed it, rebuilt from what was parsed (under a test
    runner sys.argv is the runner's): the results store redacts it before recording it."""
    words = [ctx.info_name or ""]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if value is None or value is False or value in ([], ()) or value == param.default:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        shown = [str(v.value if isinstance(v, Enum) else v) for v in values]
        if param.param_type_name == "argument":
            words.extend(shown)
        elif value is True:
            words.append(param.opts[0])
        else:
            for item in shown:
                words.extend([param.opts[0], item])
    return words


def tell_ingest(report: IngestReport) -> None:
    """What an ingest warned about and skipped, one line each on stderr."""
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    for outcome in report.outcomes:
        if outcome.status == "skipped":
            err.print(f"[yellow]skipped:[/yellow] {outcome.message}", highlight=False, soft_wrap=True)


def offline_note(choice: JudgeKind, judging: Judging, settings: Settings) -> None:
    """Told when ``auto`` judged offline because no LLM is configured: the local server found
    and how to use it, or how to start one (checker.llm.no_key)."""
    if choice is JudgeKind.auto and judging.kind == JudgeKind.nli.value and not settings.llm_configured:
        from checker.llm.no_key import offline_note as note

        err.print(f"note: {note()}", style="dim", highlight=False, soft_wrap=True)


def wait_note(message: str) -> None:
    """Told once when another run holds the store's writer lock, before waiting for it."""
    err.print(message, highlight=False, soft_wrap=True)


def write_output(text: str, out_file: Path | None) -> None:
    """The command's output on stdout, or in ``--out`` with a note on stderr. The file is
    written whole or not at all: a temporary file beside it, then renamed over it. It gets
    the mode any new file of the user's gets (0666 less the umask, 0644 usually): an output is
    made to be read and shared, unlike the store's results database, which is owner-only."""
    if out_file is None:
        sys.stdout.write(text)
        return
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=out_file.resolve().parent, prefix=f".{out_file.name}.", suffix=".partial", delete=False
        ) as handle:
            handle.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(handle.name, 0o666 & ~mask)  # the temporary file was made 0600
        os.replace(handle.name, out_file)
    except OSError as exc:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(handle.name)
        raise InputError(f"--out {out_file}: cannot write ({exc.strerror})", "Check the folder exists and is writable") from None
    err.print(f"wrote {out_file}", highlight=False)


def print_json(data: Any) -> None:
    """JSON on stdout with nothing else, so it can be piped into other tools."""
    sys.stdout.write(data if isinstance(data, str) else str(data))
    sys.stdout.write("\n")


def _version(value: bool) -> None:
    if value:
        out.print(f"checker {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Check whether news outlets agree on the facts."""
