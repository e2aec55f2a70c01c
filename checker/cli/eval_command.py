"""`checker eval`: run the labelled suites through the real pipeline and record the scores."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from checker.cli.app import OutputFormat, app, err, out, settings_from, user_errors, workspace
from checker.cli.options import (
    BaseUrlOption,
    ConcurrencyOption,
    ExtractKind,
    ExtractOption,
    JudgeKind,
    JudgeOption,
    ModelOption,
    StructuredOutputOption,
)

# checker.evaluation.evals.SUITE_KINDS, spelled out so `checker --help` does not import the eval
# machinery (tests/test_cli.py checks the two agree).
SUITE_NAMES = ("claim_passage", "extraction", "article_pairs")


@app.command("eval")
@user_errors
def eval_(
    suites: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[SUITE|FILE.jsonl]...",
            help=f"Suites to run ({', '.join(SUITE_NAMES)}), or eval files of your own (see evals/README.md). \\[default: all suites]",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most N rows of each eval file, drawn with a fixed seed.", show_default=False)
    ] = None,
    judge: JudgeOption = JudgeKind.auto,
    extract: ExtractOption = ExtractKind.auto,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    structured_output: StructuredOutputOption = None,
    concurrency: ConcurrencyOption = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save/--no-save",
            help="Write the results to evals/results/ (or CHECKER_EVAL_RESULTS) and update its scoreboard; by default nothing is written.",
        ),
    ] = False,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="table for people, json for programs.")] = OutputFormat.table,
) -> None:
    """Score the prompts and judges on the labelled suites in evals/suites/; results go to evals/results/."""
    # Imported here, not at the top: `checker --help` should not pay for them.
    from checker.evaluation import eval_files, evals, scoreboard

    given = suites or list(evals.SUITE_KINDS)
    files = [Path(name) for name in given if name.endswith(".jsonl") or Path(name).is_file()]
    names = [name for name in given if Path(name) not in files]
    for name in names:
        evals.load_suite(name)  # a wrong name fails before any call is paid for
    for path in files:
        eval_files.read_rows(path)  # so does a malformed file
    settings = settings_from(
        None, None, model=model, base_url=base_url, concurrency=concurrency, structured_output=structured_output.value if structured_output else None
    )
    space = workspace(settings)
    results_dir = settings.eval_results or evals.RESULTS_DIR
    reports = []
    # The project's suites by name, then your own files by path: one loop, one judge each.
    runs = [(name, lambda judging, name=name: evals.run_suite(name, judging, settings)) for name in names] + [
        (str(path), lambda judging, path=path: evals.run_file(path, judging, limit)) for path in files
    ]
    for label, run in runs:
        judging = space.judging(judge.value, extract.value)
        err.print(f"running {label} with the {judging.kind} judge{f' ({judging.model})' if judging.model else ''}", highlight=False)
        report = run(judging)
        reports.append(report)
        if save:
            err.print(f"wrote {scoreboard.save(report, results_dir)}", highlight=False)
    if save:
        board = scoreboard.write_scoreboard(results_dir, results_dir / "SCOREBOARD.md" if settings.eval_results else evals.SCOREBOARD)
        err.print(f"scoreboard: {board}", highlight=False)
    if output is OutputFormat.json:
        sys.stdout.write(json.dumps([r.model_dump(mode="json", exclude={"results"}) for r in reports], indent=2) + "\n")
        return
    from checker.cli.eval_table import eval_table

    for report in reports:
        out.print(eval_table(report))
