"""Choose the offline judge's two decision thresholds on tuning data no score is reported on.

    .venv/bin/python -m training.tune_thresholds [--count 1000] [--objective f1|precision] [--agree-precision-floor P] [--write]

The judge says `agree` when the strongest entailment reaches agree_at, `contradict` when the
strongest contradiction reaches contradict_at (checker/judges/nli.py). This scores a grid of both on
tuning rows of three training sources that no mixture trains on (training/wide.py draws
them: one FNC-1 train body in ten, one MNLI dev-matched and one FEVER-NLI row in ten) and
keeps the pair with the best mean of:
- FNC-1 train tuning headlines against their bodies, 3-way macro-F1, judged as `compare` judges;
- MNLI dev-matched tuning pairs, 3-way macro-F1;
- FEVER-NLI tuning pairs, macro-F1 of supported vs not;
- with ``--objective precision`` (docs/history/THRESHOLDS-PLAN.md), a fourth: the precision of `agree`
  on the FNC-1 tuning headlines (of those the judge calls `agree` with their body, the share
  that do), since the three above reward recall of agreement and none counts an `agree` that a
  same-story sentence does not earn.
With ``--agree-precision-floor P`` (docs/history/THRESHOLD-FLOOR-PLAN.md) only pairs whose FNC-1 tuning
precision of `agree` is at least P compete: precision is then held by construction instead of
traded in a mean (run N's tuning gave up 0.018 of it, 0.649 at agree 0.60 against 0.631 at 0.45,
for 0.0005 of the mean).
No held-out set (SNLI test, MNLI mismatched, FEVER Symmetric, FNC-1's held-out bodies,
SummEdits, the eval suites) is read. With --write the best pair is stored beside the weights
(thresholds.json), where the judge reads it.
"""

from __future__ import annotations

import argparse
import itertools
import json

from checker.judges.nli import AGREE_AT, CONTRADICT_AT, MODEL_DIR, THRESHOLDS_FILE, NLIJudge
from training.evaluate_nli import TO_DATASET, agree_precision, decided_label, macro_f1, scored_sentences
from training.wide import tuning_rows

GRID = [round(0.30 + 0.05 * i, 2) for i in range(13)]  # 0.30 .. 0.90
SETS = {"fnc1": "fnc1/", "mnli": "nli/mnli_dev_matched.jsonl", "fever": "fever/fever_nli_binary.jsonl"}


def gold_of(name: str, label: str) -> str:
    return ("supported" if label == "supported" else "not_supported") if name == "fever" else label


def decided_of(name: str, label: str) -> str:
    found = TO_DATASET[label]
    return ("supported" if found == "supported" else "not_supported") if name == "fever" else found


def objective(row: dict[str, float], kind: str) -> float:
    """What the grid maximises: the mean of the three tuning macro-F1s, and with ``precision``
    the FNC-1 tuning precision of `agree` as a fourth term of the mean."""
    terms = [row[f"{name}_tuning_macro_f1"] for name in SETS]
    if kind == "precision":
        terms.append(row["fnc1_tuning_agree_precision"])
    return round(sum(terms) / len(terms), 4)


def choose(results: list[dict[str, float]], floor: float | None = None) -> list[dict[str, float]]:
    """The grid's rows best first, leaving out those whose FNC-1 tuning `agree` precision is
    below ``floor``; a floor no row reaches is an error that names the highest reached."""
    kept = [r for r in results if floor is None or r["fnc1_tuning_agree_precision"] >= floor]
    if not kept:
        highest = max(r["fnc1_tuning_agree_precision"] for r in results)
        raise SystemExit(f"no threshold pair reaches FNC-1 tuning agree precision {floor} (highest: {highest}); lower --agree-precision-floor")
    return sorted(kept, key=lambda r: -r["mean"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="tuning rows per source")
    parser.add_argument("--objective", choices=["f1", "precision"], default="f1", help="precision: add FNC-1 tuning agree precision to the mean")
    parser.add_argument(
        "--agree-precision-floor", type=float, default=None, help="only pairs with at least this FNC-1 tuning precision of `agree` compete"
    )
    parser.add_argument("--write", action="store_true", help=f"store the best pair in {MODEL_DIR}/{THRESHOLDS_FILE}")
    args = parser.parse_args()
    judge = NLIJudge()

    # The model's probabilities do not depend on the thresholds: score every pair once.
    scored = {
        name: [
            (gold_of(name, r["label"]), r["claim"], r["premise_or_evidence"], scored_sentences(r["claim"], r["premise_or_evidence"]))
            for r in tuning_rows(path, args.count)
        ]
        for name, path in SETS.items()
    }

    results = []
    for agree_at, contradict_at in itertools.product(GRID, GRID):
        judge.agree_at, judge.contradict_at = agree_at, contradict_at
        row: dict[str, float] = {"agree_at": agree_at, "contradict_at": contradict_at}
        for name, items in scored.items():
            gold = [gold for gold, *_ in items]
            decided = [decided_of(name, decided_label(judge, claim, body, found)) for _, claim, body, found in items]
            row[f"{name}_tuning_macro_f1"] = macro_f1(gold, decided)
            if name == "fnc1":
                row["fnc1_tuning_agree_precision"] = agree_precision(gold, decided)
        row["mean"] = objective(row, args.objective)
        results.append(row)
    default = next(r for r in results if (r["agree_at"], r["contradict_at"]) == (AGREE_AT, CONTRADICT_AT))
    ranked = choose(results, args.agree_precision_floor)
    print(json.dumps({"items": {name: len(items) for name, items in scored.items()}, "best": ranked[:5], "default": default}, indent=2))
    if args.write:
        floor = f" --agree-precision-floor {args.agree_precision_floor}" if args.agree_precision_floor is not None else ""
        best = ranked[0] | {
            "chosen_by": f"python -m training.tune_thresholds --objective {args.objective}{floor}",
            "tuning_items": {name: len(items) for name, items in scored.items()},
            "default_mean": default["mean"],
        }
        (MODEL_DIR / THRESHOLDS_FILE).write_text(json.dumps(best, indent=2) + "\n")


if __name__ == "__main__":
    main()
