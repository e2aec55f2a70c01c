"""Probe: does a learned aggregate of the evidence sentences' scores decide better than the
judge's two thresholds? Tuning data only (the rows `tune_thresholds` reads), 5-fold cross-validation.

    .venv/bin/python -m training.experiments.probe_stacker [--balanced]

Why: the judge decides from the strongest sentence's entailment and contradiction alone.
SummaC's convolutional variant learned, from the whole spread of sentence scores, what its
zero-shot variant read from the maximum, and gained on news. Here a logistic regression reads
eleven features of a claim's scored sentences (the strongest entailment and contradiction, the
runner-up entailment, means, the share of sentences above 0.5, the count) and is scored out of
fold against the thresholds, which were chosen on all of these rows (so the thresholds' figure
is in-sample and favours them). Measured and not adopted (docs/history/BENCHMARKS-NOTEBOOK.md).
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from checker.judges.nli import NLIJudge, Scored
from training.evaluate_nli import agree_precision, decided_label, macro_f1, scored_sentences
from training.tune_thresholds import SETS, decided_of, gold_of
from training.wide import tuning_rows


def features(found: list[Scored]) -> list[float]:
    probs = np.array([s.probs for s in found]) if found else np.array([[0.0, 1.0, 0.0]])
    entail, contra = probs[:, 0], probs[:, 2]
    top, top_c = probs[entail.argmax()], probs[contra.argmax()]
    ranked = np.sort(entail)[::-1]

    def log(x: float) -> float:
        return float(np.log(np.clip(x, 1e-4, 1.0)))

    return [
        log(entail.max()),
        log(contra.max()),
        log(top[1]),
        log(top[2]),
        log(top_c[0]),
        log(ranked[1] if len(ranked) > 1 else 0.0),
        log(entail.mean()),
        log(contra.mean()),
        float((entail > 0.5).mean()),
        float((contra > 0.5).mean()),
        float(np.log(len(entail))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--balanced", action="store_true", help="weigh the classes equally in the regression")
    args = parser.parse_args()
    judge = NLIJudge()
    for name, path in SETS.items():
        items = [(gold_of(name, r["label"]), r["claim"], r["premise_or_evidence"]) for r in tuning_rows(path, 1000)]
        found = [scored_sentences(claim, body) for _, claim, body in items]
        gold = np.array([g for g, _, _ in items])
        by_thresholds = [decided_of(name, decided_label(judge, claim, body, f)) for (_, claim, body), f in zip(items, found)]
        x = np.array([features(f) for f in found])
        learned = np.empty(len(items), dtype=object)
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(x, gold):
            model = LogisticRegression(max_iter=2000, class_weight="balanced" if args.balanced else None).fit(x[train], gold[train])
            learned[test] = model.predict(x[test])
        line = f"{name}: {len(items)} rows, macro-F1 thresholds (in-sample) {macro_f1(list(gold), by_thresholds):.3f}, learned (out of fold) {macro_f1(list(gold), list(learned)):.3f}"
        if name == "fnc1":
            line += f"; agree precision {agree_precision(list(gold), by_thresholds):.3f} against {agree_precision(list(gold), list(learned)):.3f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
