"""The README's command reference and `checker --help` say the same things."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

README = Path(__file__).resolve().parent.parent / "README.md"
runner = CliRunner()


def readme_commands() -> dict[str, set[str]]:
    """Each command of the README's Commands block with the flags written after it."""
    block = README.read_text(encoding="utf-8").split("## Commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands: dict[str, set[str]] = {}
    current = None
    for line in block.splitlines():
        if line.strip().startswith("checker --"):  # `checker --version`: the app's own flag
            current = None
            continue
        match = re.match(r"checker (\w+)", line.strip())
        if match:
            current = match.group(1)
            commands.setdefault(current, set())
        if current:
            commands[current] |= set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line))
    return commands


def help_text(*args: str) -> str:
    from checker.cli import app

    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "250", "TERMINAL_WIDTH": "250"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_flag_in_the_readme_exists_in_the_commands_help() -> None:
    commands = readme_commands()
    assert {"ingest", "articles", "search", "compare", "check", "report", "eval"} <= set(commands)
    for command, flags in commands.items():
        text = help_text(command)
        missing = sorted(flag for flag in flags if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text))
        assert not missing, f"checker {command}: the README names {missing}, its --help does not"


def test_every_command_in_the_help_is_in_the_readme() -> None:
    listed = set(re.findall(r"│ (\w+)\s", help_text()))
    assert listed, "no commands found in checker --help"
    assert listed <= set(readme_commands()), f"not in the README: {sorted(listed - set(readme_commands()))}"
