"""The command-line interface: ``checker`` with one module per group of commands."""

import os
import sys

from checker.cli import check_command, compare_command, eval_command, index_commands, report_command, review_command  # noqa: F401  (registers the commands)
from checker.cli.app import app

INTERRUPTED = 130


def main() -> None:
    """The ``checker`` command. After Ctrl-C (exit 130, finished work already stored), calls
    still waiting on the network are abandoned instead of joined: the interpreter would
    otherwise wait for each to time out (CHECKER_TIMEOUT, 120 s by default)."""
    try:
        app()
    except SystemExit as exc:
        if exc.code == INTERRUPTED:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(INTERRUPTED)
        raise


__all__ = ["app", "main"]
