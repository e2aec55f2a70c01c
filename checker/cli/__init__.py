"""The command-line interface: ``checker`` with one module per group of commands."""

from checker.cli import compare_command, eval_command, index_commands, report_command  # noqa: F401  (registers the commands)
from checker.cli.app import app

__all__ = ["app"]
