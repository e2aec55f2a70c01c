"""Measure the offline judge on held-out data only, beside simple baselines.

    .venv/bin/python -m training.evaluate_nli [--limit N] [--no-save-evals]
    CHECKER_JUDGE_MODEL=.train/run-j .venv/bin/python -m training.evaluate_nli   # a candidate's weights

The held-out sets were fixed before run J (training/wide.py says what is never trained or
tuned on). The rule that chooses between runs is the mean of the five external measures
(``external_mean``): SNLI test, MNLI mismatched binary, FEVER Symmetric, FNC-1 held-out
bodies, SummEdits news.

- SNLI test (never trained on): 3-way accuracy of the raw cross-encoder.
- MNLI dev mismatched, binary (never trained on): balanced accuracy of entailment vs not
  (the raw model's most likely label).
- FEVER Symmetric (never trained on; FEVER rows sharing its claims or evidence are kept out
  of training): accuracy of supported vs contradicted (entailment vs contradiction
  probability).
- The project's claim-vs-passage eval suite: accuracy and contradict recall of the judge as
  `checker compare --judge nli` runs it (also saved to evals/results/).
- FNC-1, the held-out fifth of bodies: macro-F1 (supported / contradicted / not enough info)
  of headline vs body, the body's 8 sentences closest to the headline as evidence.
- SummEdits news, all 819 items: macro-F1 of supported vs not, a summary supported only if
  every sentence is.
Baselines for FNC-1 and SummEdits: the majority class, and a threshold on the cosine
similarity of the bundled MiniLM embeddings (threshold tuned on data the scores are not
reported on: FNC-1 train's tuning bodies, training/wide.py).
Also: how often the deterministic figures check fires on supported pairs (data no score is
reported on), pairs judged per second and peak memory. Writes models/nli-minilm/metrics.json
and keeps the keys of the file already there that it does not measure (earlier runs, exports).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import resource
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from checker.articles import sentences
from checker.claims.offline_claims import SentenceExtractor
from checker.config import Settings
from checker.evaluation import evals, scoreboard
from checker.evaluation.eval_files import binary_metrics, evidence_sentences, run_file
from checker.judges.figures import numbers_disagree
from checker.judges.nli import MODEL_DIR, NLIJudge, Scored, probabilities, statement_contradiction
from checker.pipelines.judging import Judging
from checker.schemas import Article, Claim, text_sha256
from training.data import DATASETS, fnc_rows, nli_pairs, rows
from training.wide import tuning_rows

TO_DATASET = {"agree": "supported", "contradict": "contradicted", "superseded": "contradicted", "not_addressed": "not_enough_info"}


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    scores = []
    for label in sorted(set(gold)):
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return round(sum(scores) / len(scores), 3)


def _article(text: str, name: str) -> Article:
    return Article(id=name, outlet="eval", text=text, sha256=text_sha256(text), published=dt.date(2000, 1, 1))


def _claim(text: str) -> Claim:
    return Claim(id="c", article_id="claim", text=text, speaker="eval", kind="event", start=0, end=len(text), source_text=text)


def scored_sentences(claim: str, body: str) -> list[Scored]:
    """The model's probabilities for the claim against each of its evidence sentences."""
    sents, _ = evidence_sentences(claim, body)
    pairs = [(s.text, claim) for s in sents]
    probs = statement_contradiction(pairs, probabilities(pairs))
    return [Scored(s.start, s.end, s.text, p) for s, p in zip(sents, probs)]


@lru_cache(maxsize=4096)
def _articles(body: str) -> tuple[Article, Article]:
    """The body as the other report, and a same-dated source (so nothing is ``superseded``)."""
    other = _article(body, "body")
    return other.model_copy(update={"id": "claim"}), other


def decided_label(judge: NLIJudge, claim: str, body: str, scored: list[Scored]) -> str:
    source, other = _articles(body)
    return judge.decide(_claim(claim), source, other, scored).label


def judge_label(judge: NLIJudge, claim: str, body: str) -> str:
    return decided_label(judge, claim, body, scored_sentences(claim, body))


def summary_claims(row: dict) -> list[str]:
    """A SummEdits summary's sentences: it is supported only if every one of them is."""
    return [s.text for s in sentences.split(row["claim"])] or [row["claim"]]


def summedits_halves() -> tuple[list[dict], list[dict]]:
    """SummEdits news split in two by a hash of the article: (scored half, tuning half).

    The 819 items are about 33 edited summaries of each of 25 articles, with ids
    "<article>_<edit>". Splitting by article keeps every article's edits on one side, so
    nothing tuned on the tuning half has seen the scored articles. Since run J all of
    SummEdits is held out; the split remains for the measured-and-not-adopted probes
    (training/experiments/probe_polarity.py) that used it.
    """
    items = list(rows("summedits/summedits_news.jsonl"))
    half = lambda r: int(hashlib.sha1(r["id"].rsplit("_", 1)[0].encode()).hexdigest(), 16) % 2  # noqa: E731
    return [r for r in items if half(r) == 0], [r for r in items if half(r) == 1]


def best_cosine(claim: str, body: str) -> float:
    return evidence_sentences(claim, body)[1]


def tune_threshold(scores: list[float], gold: list[str], positive: str, negative: str) -> float:
    candidates = sorted(set(round(s, 3) for s in scores))
    return max(candidates, key=lambda t: macro_f1(gold, [positive if s >= t else negative for s in scores]))


def versus_baselines(
    test: list[dict], gold: list[str], predicted: list[str], tune: list[dict], tune_gold: list[str], negative: str
) -> dict[str, object]:
    """The judge's macro-F1 beside the majority class and a cosine threshold tuned on ``tune``."""
    threshold = tune_threshold([best_cosine(r["claim"], r["premise_or_evidence"]) for r in tune], tune_gold, "supported", negative)
    cosine = ["supported" if best_cosine(r["claim"], r["premise_or_evidence"]) >= threshold else negative for r in test]
    majority = max(set(gold), key=gold.count)
    return {
        "items": len(test),
        "judge_macro_f1": macro_f1(gold, predicted),
        "majority_macro_f1": macro_f1(gold, [majority] * len(gold)),
        "cosine_threshold": threshold,
        "cosine_macro_f1": macro_f1(gold, cosine),
    }


def figures_rule_fires(claim: str, body: str) -> bool:
    """The judge's figures check against the body sentence sharing most words with the claim."""
    words = lambda text: set(re.findall(r"\w+", text.lower()))  # noqa: E731
    sents = [s.text for s in sentences.split(body)] or [body]
    closest = max(sents, key=lambda s: len(words(claim) & words(s)))
    return numbers_disagree(claim, closest, body)


def figures_rule_precision(fnc_train: list[dict], fever_tune: list[dict]) -> dict[str, object]:
    """How often the figures check fires, and on what gold labels, on data no score is reported
    on: it overrides the model, so a false alarm on a supported pair must be rare."""
    out: dict[str, object] = {}
    for name, items in (("fnc1_train_tuning_bodies", fnc_train), ("fever_nli_tuning_rows", fever_tune)):
        fired = [r["label"] for r in items if any(figures_rule_fires(claim, r["premise_or_evidence"]) for claim in summary_claims(r))]
        out[name] = {"items": len(items), "fired": len(fired), "fired_on_supported": fired.count("supported")}
    return out


def binary_nli(name: str, cap) -> tuple[list[bool], np.ndarray]:  # type: ignore[no-untyped-def]
    """Gold 'supported' flags and the raw model's probabilities for a binary NLI file."""
    items = cap(list(rows(name)))
    pairs = [(row["premise_or_evidence"], row["claim"]) for row in items]
    probs = statement_contradiction(pairs, probabilities(pairs))
    return [row["label"] == "supported" for row in items], probs


EXTERNAL = ("snli_test_accuracy", "mnli_mismatched_balanced_accuracy", "fever_symmetric_accuracy")


def agree_precision(gold: list[str], predicted: list[str]) -> float:
    """Of the headlines the judge calls `agree` with their body, the share that do: precision on
    same-story text, where sentences share a subject without entailing each other."""
    said = [g for g, p in zip(gold, predicted) if p == TO_DATASET["agree"]]
    return round(sum(g == TO_DATASET["agree"] for g in said) / len(said), 3) if said else 0.0


def external_mean(metrics: dict) -> float:
    """The rule fixed before run J: the plain mean of the five held-out external measures."""
    scores = [metrics[k] for k in EXTERNAL] + [metrics["fnc1_heldout"]["judge_macro_f1"], metrics["summedits"]["judge_macro_f1"]]
    return round(sum(scores) / len(scores), 4)


def with_history(measured: dict, previous: dict) -> dict:
    """This run's measurements, then every key of the file already there that this run does not
    measure: the committed history of earlier runs and exports (``run_m_fp32_export``, the
    adoption notes) survives a re-measurement instead of being silently dropped."""
    return measured | {k: v for k, v in previous.items() if k not in measured}


def shown_path(path: Path) -> str:
    """A folder as metrics.json records it: relative to the repository when inside it, so a
    committed file names no one's machine."""
    try:
        return str(path.resolve().relative_to(evals.ROOT))
    except ValueError:
        return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="at most this many items per data set (0: all)")
    parser.add_argument(
        "--no-save-evals", action="store_true", help="measure the suites without writing evals/results and the scoreboard (a candidate's weights)"
    )
    args = parser.parse_args()
    cap = (lambda items: items[: args.limit]) if args.limit else (lambda items: items)
    judge = NLIJudge()
    metrics: dict[str, object] = {"weights": shown_path(MODEL_DIR)}

    # SNLI test: the raw model, 3-way.
    snli = cap(nli_pairs("nli/snli_test.jsonl"))
    started = time.perf_counter()
    pairs = [(p.premise, p.hypothesis) for p in snli]
    probs = statement_contradiction(pairs, probabilities(pairs))
    seconds = time.perf_counter() - started
    metrics["snli_test_accuracy"] = round(float((probs.argmax(axis=1) == np.array([p.label for p in snli])).mean()), 3)
    metrics["snli_test_pairs"] = len(snli)
    metrics["pairs_per_second"] = round(len(snli) / seconds, 1)

    gold, probs = binary_nli("nli/mnli_mismatched_binary.jsonl", cap)
    metrics["mnli_mismatched_balanced_accuracy"] = binary_metrics(gold, list(probs.argmax(axis=1) == 0), [None] * len(gold))["balanced_accuracy"]
    gold, probs = binary_nli("fever/fever_symmetric.jsonl", cap)
    metrics["fever_symmetric_accuracy"] = round(float(np.mean([(p[0] > p[2]) == g for g, p in zip(gold, probs)])), 3)

    # The project's own claim-vs-passage suite, as `compare --judge nli` judges.
    judging = Judging("nli", SentenceExtractor(), judge, None, judge.model_name, None, {})
    suite = evals.run_suite("claim_passage", judging, Settings(concurrency=1))
    extraction = evals.run_suite("extraction", judging, Settings(concurrency=1))
    if not args.no_save_evals:
        scoreboard.save(suite)
        scoreboard.save(extraction)
        scoreboard.write_scoreboard()
    metrics["claim_passage_accuracy"] = suite.metrics["accuracy"]
    metrics["claim_passage_macro_f1"] = suite.metrics["macro_f1"]
    for label in ("agree", "contradict", "superseded", "not_addressed"):
        metrics[f"claim_passage_{label}_recall"] = suite.metrics["per_label"][label]["recall"]
    metrics["extraction_required_recall"] = extraction.metrics["required_recall"]

    # FNC-1 held-out bodies; the threshold baseline is tuned on FNC-1 train's tuning bodies.
    fnc_tune = tuning_rows("fnc1/", 600)
    held = cap(fnc_rows(held_out=True))
    gold = [r["label"] for r in held]
    predicted = [TO_DATASET[judge_label(judge, r["claim"], r["premise_or_evidence"])] for r in held]
    metrics["fnc1_heldout"] = versus_baselines(held, gold, predicted, fnc_tune, [r["label"] for r in fnc_tune], "not_enough_info")
    metrics["fnc1_heldout"]["judge_agree_precision"] = agree_precision(gold, predicted)

    # SummEdits news, binary, every item (nothing is tuned on it since run J).
    test = cap(list(rows("summedits/summedits_news.jsonl")))
    binary = lambda label: "supported" if label == "supported" else "not_supported"  # noqa: E731
    gold = [binary(r["label"]) for r in test]

    def summary_label(row: dict) -> tuple[str, float]:
        """Supported only if every sentence is; its consistency score is the weakest
        sentence's strongest entailment (as `checker eval` scores it, checker/evaluation/eval_files.py)."""
        labels, scores = [], []
        for claim in summary_claims(row):
            found = scored_sentences(claim, row["premise_or_evidence"])
            labels.append(decided_label(judge, claim, row["premise_or_evidence"], found))
            scores.append(max((float(s.probs[0]) for s in found), default=0.0))
        return ("supported" if all(label == "agree" for label in labels) else "not_supported"), min(scores)

    judged = [summary_label(r) for r in test]
    predicted = [label for label, _ in judged]
    metrics["summedits"] = versus_baselines(test, gold, predicted, fnc_tune, [binary(r["label"]) for r in fnc_tune], "not_supported")
    metrics["summedits"] |= {
        k: v
        for k, v in binary_metrics([g == "supported" for g in gold], [p == "supported" for p in predicted], [score for _, score in judged]).items()
        if k in ("balanced_accuracy", "roc_auc")
    }
    # SNLI test as `checker eval nli/snli_test.jsonl --judge nli --limit 2000` judges it (the
    # thresholds decide, not the model's most likely label): the same function, the same rows.
    metrics["snli_test_2000_as_checker_eval"] = run_file(DATASETS / "nli/snli_test.jsonl", judging, limit=min(2000, args.limit or 2000))[2][
        "accuracy"
    ]

    metrics["external_mean"] = external_mean(metrics)
    metrics["figures_rule"] = figures_rule_precision(tuning_rows("fnc1/", 5000), tuning_rows("fever/fever_nli_binary.jsonl"))

    metrics["thresholds"] = {"agree_at": judge.agree_at, "contradict_at": judge.contradict_at}
    metrics["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    metrics["measured_on"] = dt.date.today().isoformat()
    written = MODEL_DIR / "metrics.json"
    previous = json.loads(written.read_text(encoding="utf-8")) if written.exists() else {}
    written.write_text(json.dumps(with_history(metrics, previous), indent=2) + "\n")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
