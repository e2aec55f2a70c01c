"""The Typer app, its shared options, and how errors reach the user.

A ``CheckerError`` becomes one line on stderr and exit code 2; Ctrl-C exits 130 with what
was finished kept; any other exception is a bug, shown as one line unless ``--debug`` or
``CHECKER_DEBUG=1`` asks for the traceback.
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
from checker.errors import CheckerError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from checker.config import Settings

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
    from checker.config import load_settings  # pydantic-settings: paid by commands, not by --help

    return load_settings(store=store, chroma_url=chroma_url, **flags)


def check_out_path(out_file: Path | None, inputs: list[Path], store: Path) -> None:
    """Refuse, before any work, an --out that would overwrite an input or land in the store
    (writing over results.sqlite3 destroyed every cached verdict)."""
    if out_file is None:
        return
    target = out_file.resolve()
    if target.is_dir():
        raise InputError(f"--out {out_file}: is a folder", "Give a file name, e.g. --out report.html")
    if not target.parent.is_dir():
        raise InputError(f"--out {out_file}: the folder {out_file.parent} does not exist", "Create it first, or write elsewhere")
    for given in inputs:
        if given.exists() and given.is_file() and given.resolve() == target:
            raise InputError(f"--out {out_file}: is one of the input articles; it would be overwritten", "Write the output to another file")
    home = store.resolve()
    if target == home or home in target.parents:
        # Beside its own data the store may hold reports (`make run` writes one there), but
        # never over the index, the results database, the lock, or a file checker did not write.
        managed = target.name.startswith(("results.sqlite3", "writer.lock")) or (home / "chroma") in target.parents
        if managed or (target.exists() and not _written_by_checker(target)):
            raise InputError(
                f"--out {out_file}: is checker's own data in the store {store}; writing it would destroy it",
                "Write the output elsewhere, e.g. a new file name",
            )


@contextlib.contextmanager
def writer_lock(store: Path):  # type: ignore[no-untyped-def]
    """One run at a time writes claims and verdicts to a store: a second `report` on the same
    store waits, then finds the first run's work cached instead of paying for it again."""
    from filelock import FileLock, Timeout

    store.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(store / "writer.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        err.print(f"waiting for another checker run on {store} to finish (it holds {store / 'writer.lock'})", highlight=False)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _written_by_checker(path: Path) -> bool:
    from checker.articles.loading import is_checker_output

    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return is_checker_output(handle.read(4000))
    except OSError:
        return False


def write_output(text: str, out_file: Path | None) -> None:
    """The command's output on stdout, or in ``--out`` with a note on stderr. The file is
    written whole or not at all: a temporary file beside it, then renamed over it."""
    if out_file is None:
        sys.stdout.write(text)
        return
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=out_file.resolve().parent, prefix=f".{out_file.name}.", suffix=".partial", delete=False
        ) as handle:
            handle.write(text)
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
