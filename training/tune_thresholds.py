"""Choose the offline judge's two decision thresholds on data no score is reported on.

    .venv/bin/python -m training.tune_thresholds [--fnc 1000]

The judge says `agree` when the strongest entailment reaches agree_at, `contradict` when the
strongest contradiction reaches contradict_at (checker/nli.py). This scores a grid of both
on tuning data only and prints the best pairs by the mean macro-F1 of:
- 1,000 FNC-1 training-body rows the model was NOT trained on (training/data.py trains on
  a seeded sample of 3,000 training-body headlines; fnc_tuning_rows draws these from the
  rest, and no mixture trains on them);
- the SummEdits articles whose items are never scored (the others give the reported score).
With --write the best pair is stored beside the weights (models/nli-minilm/thresholds.json),
where the judge reads it. The reported scores (`python -m training.evaluate_nli`) stay on
the held-out data.
"""

from __future__ import annotations

import argparse
import itertools
import json

from checker.nli import AGREE_AT, CONTRADICT_AT, MODEL_DIR, THRESHOLDS_FILE, NLIJudge
from training.data import FNC_TUNING, fnc_tuning_rows
from training.evaluate_nli import TO_DATASET, decided_label, macro_f1, scored_sentences, summary_claims, summedits_halves

GRID = [round(0.30 + 0.05 * i, 2) for i in range(13)]  # 0.30 .. 0.90


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fnc", type=int, default=FNC_TUNING, help="FNC-1 tuning items (unseen training-body headlines)")
    parser.add_argument("--write", action="store_true", help=f"store the best pair in {MODEL_DIR.name}/{THRESHOLDS_FILE}")
    args = parser.parse_args()
    judge = NLIJudge()

    # The model's probabilities do not depend on the thresholds: score every pair once.
    fnc = [(r["label"], r["claim"], r["premise_or_evidence"], scored_sentences(r["claim"], r["premise_or_evidence"]))
           for r in fnc_tuning_rows(args.fnc)]
    summaries = [("supported" if r["label"] == "supported" else "not_supported", r["premise_or_evidence"],
                  [(c, scored_sentences(c, r["premise_or_evidence"])) for c in summary_claims(r)])
                 for r in summedits_halves()[1]]

    results = []
    for agree_at, contradict_at in itertools.product(GRID, GRID):
        judge.agree_at, judge.contradict_at = agree_at, contradict_at
        fnc_f1 = macro_f1([gold for gold, *_ in fnc],
                          [TO_DATASET[decided_label(judge, claim, body, found)] for _, claim, body, found in fnc])
        summedits_f1 = macro_f1([gold for gold, *_ in summaries], [
            "supported" if all(decided_label(judge, c, body, found) == "agree" for c, found in claims) else "not_supported"
            for _, body, claims in summaries])
        results.append({"agree_at": agree_at, "contradict_at": contradict_at, "fnc1_tuning_macro_f1": fnc_f1,
                        "summedits_tuning_macro_f1": summedits_f1, "mean": round((fnc_f1 + summedits_f1) / 2, 4)})
    results.sort(key=lambda r: -r["mean"])
    default = next(r for r in results if (r["agree_at"], r["contradict_at"]) == (AGREE_AT, CONTRADICT_AT))
    print(json.dumps({"items": {"fnc1": len(fnc), "summedits": len(summaries)}, "best": results[:5], "default": default}, indent=2))
    if args.write:
        best = results[0] | {"chosen_by": "python -m training.tune_thresholds", "fnc1_tuning_items": len(fnc),
                             "summedits_tuning_items": len(summaries), "default_mean": default["mean"]}
        (MODEL_DIR / THRESHOLDS_FILE).write_text(json.dumps(best, indent=2) + "\n")


if __name__ == "__main__":
    main()
