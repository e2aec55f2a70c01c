"""Clause-level judging of a report's claim pairs, beside the whole-claim judge: a probe that
needs no training, measured on the sample report and not adopted (docs/history/BENCHMARKS-NOTEBOOK.md).

    .venv/bin/checker report corpus/ --format json --out report.json
    .venv/bin/python -m training.experiments.clause_pairs report.json

Why: the report's claims are long news sentences, and the judge says `not_addressed` when the
other outlet's sentence confirms one part of a claim and is silent on the rest. Here each
earlier claim is split into clauses (at "but", "while", "as", "which", "adding that",
semicolons and dashes; parts of four words or more), each clause is scored against the
later claim's sentence with the shipped weights and thresholds, and a pair is decided by its
clauses: `agree` when any clause reaches the agree threshold and none contradicts,
`contradict` when a clause's contradiction reaches its threshold and beats its entailment.
Prints the pairs this decides that the shipped judge left `not_addressed`, for reading.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from checker.judges.figures import same_spelling
from checker.judges.nli import CONTRA, ENTAIL, probabilities, thresholds

SPLIT = re.compile(r",? but |; | – | — |, while |, as |, adding that |, and (?=[a-z]+ (?:said|added|says)\b)|, which ")


def clauses(text: str) -> list[str]:
    parts = [p.strip(' ,.;–—“”"') for p in SPLIT.split(text)]
    parts = [p for p in parts if len(p.split()) >= 4]
    return parts if len(parts) > 1 else [text]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path, help="a report in JSON (checker report --format json)")
    args = parser.parse_args()
    agree_at, contradict_at = thresholds()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    claims = {c["id"]: c["text"] for c in report["claims"]}
    split = added = 0
    for pair in report["pairs"]:
        claim, other = claims[pair["earlier"]], claims[pair["later"]]
        parts = clauses(claim)
        if len(parts) == 1:
            continue
        split += 1
        scores = probabilities([(same_spelling(other), same_spelling(p)) for p in parts])
        contradicts = any(s[CONTRA] >= contradict_at and s[CONTRA] > s[ENTAIL] for s in scores)
        agrees = not contradicts and any(s[ENTAIL] >= agree_at for s in scores)
        if (agrees or contradicts) and pair["verdict"]["label"] == "not_addressed":
            added += 1
            print(f"{'contradict' if contradicts else 'agree'}\n  claim: {claim}\n  other: {other}")
            for part, s in zip(parts, scores):
                print(f"    entail {s[ENTAIL]:.2f} contradict {s[CONTRA]:.2f}  {part}")
    print(f"{len(report['pairs'])} pairs, {split} with a claim of two or more clauses, {added} decided that the judge left not_addressed")


if __name__ == "__main__":
    main()
