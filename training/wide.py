"""Run J's mixture ("wide"): the committed mixture plus the data added to ../shared/datasets on
2026-12-02 (MNLI, ANLI, FEVER, SufficientFacts, COVID-Fact, the full FNC-1 train set).

What is never trained or tuned on (fixed before the run, and checked by tests):
- SNLI test, all of ``nli/mnli_mismatched_binary``, all of ``fever/fever_symmetric``, the held-out
  fifth of FNC-1 competition-test bodies (``data.fnc_held_out``), all of SummEdits news, and the
  project's eval suites.
- FEVER rows whose claim is a FEVER Symmetric claim, or whose evidence holds a FEVER Symmetric
  evidence sentence (FEVER-NLI is built from the same FEVER claims: 392 share a claim), and
  FNC-1 train rows whose body is also a competition-test body (``body_also_in_fnc1_test``).

Tuning data (the judge's two thresholds and the cosine baselines are chosen on it; no score is
reported on it and no pair of it is trained on), drawn from training sources:
- FNC-1 train rows of one body in ten (by a hash of the body id): real headlines against real
  bodies, judged as ``compare`` judges;
- 1,000 MNLI dev-matched pairs and 1,000 FEVER-NLI pairs (by a hash of the row id).
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

from training import data
from training.data import DATASETS, LABEL_IDS, NOT_ENTAILED, Pair

TUNING_SHARE = 10  # one body (or row) in ten of FNC-1 train, MNLI matched and FEVER-NLI is tuning data
FNC_UNRELATED = 2000  # unrelated FNC-1 train rows: easy neutrals, a few are enough


def _bucket(key: str) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % TUNING_SHARE


def is_tuning(row: dict, name: str) -> bool:
    """Whether a row of a training source is kept for tuning (never trained on)."""
    if name.startswith("fnc1/"):
        return _bucket(f"fnc-body-{row['meta']['body_id']}") == 0
    if name in ("nli/mnli_dev_matched.jsonl", "fever/fever_nli_binary.jsonl"):
        return _bucket(row["id"]) == 0
    return False


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def fever_symmetric_guard(datasets: Path = DATASETS):  # type: ignore[no-untyped-def]
    """A test that is true for a FEVER row that must not be trained on: it shares a claim or an
    evidence sentence with the held-out FEVER Symmetric set."""
    held = list(data.rows("fever/fever_symmetric.jsonl", datasets))
    claims = {_norm(r["claim"]) for r in held}
    # Each evidence text indexed by its first five words, so a premise is checked by sliding
    # over its own words rather than against all 1,416 evidence texts.
    by_start: dict[str, list[str]] = {}
    for text in {_norm(r["premise_or_evidence"]) for r in held}:
        words = text.split()
        if len(words) >= 5:
            by_start.setdefault(" ".join(words[:5]), []).append(text)

    def blocked(row: dict) -> bool:
        if _norm(row["claim"]) in claims:
            return True
        premise = _norm(row["premise_or_evidence"])
        words = premise.split()
        return any(text in premise for i in range(len(words) - 4) for text in by_start.get(" ".join(words[i : i + 5]), ()))

    return blocked


def _pairs(name: str, keep, coarse: bool = False, datasets: Path = DATASETS) -> list[Pair]:  # type: ignore[no-untyped-def]
    """Rows of ``name`` as pairs; "inconsistent" (binary not-supported) is the coarse label."""
    out = []
    for row in data.rows(name, datasets):
        if not keep(row) or is_tuning(row, name):
            continue
        if row["label"] == "inconsistent" and coarse:
            label = NOT_ENTAILED
        elif row["label"] in LABEL_IDS:
            label = LABEL_IDS[row["label"]]
        else:
            continue
        out.append(Pair(data.untokenize(row["premise_or_evidence"]), data.untokenize(row["claim"]), label, name))
    return out


def fnc_train_rows(datasets: Path = DATASETS, tuning: bool = False) -> list[dict]:
    """FNC-1 train rows (related, and the unrelated sample) on one side of the tuning split,
    without the bodies that are also competition-test bodies."""
    out = []
    for name in ("fnc1/fnc1_train_related_only.jsonl", "fnc1/fnc1_train_unrelated_sample.jsonl"):
        out += [r for r in data.rows(name, datasets) if not r["meta"].get("body_also_in_fnc1_test") and is_tuning(r, "fnc1/") == tuning]
    return out


def tuning_rows(name: str, count: int = 1000, seed: int = 13, datasets: Path = DATASETS) -> list[dict]:
    """Up to ``count`` tuning rows of a training source, a seeded sample."""
    if name.startswith("fnc1/"):
        # Related rows only, as the held-out FNC-1 score has them.
        rows_ = [r for r in fnc_train_rows(datasets, tuning=True) if r["orig_label"] != "unrelated"]
    else:
        rows_ = [r for r in data.rows(name, datasets) if is_tuning(r, name)]
    return random.Random(seed).sample(rows_, min(count, len(rows_)))


def wide_pairs(seed: int = 13, datasets: Path = DATASETS) -> list[Pair]:
    rng = random.Random(seed)
    pairs, bodies = data.base_pairs(rng, datasets=datasets)
    pairs += data.news_pairs(bodies, per_body=6, seed=seed)
    pairs += data.rte_pairs(datasets)
    blocked = fever_symmetric_guard(datasets)
    everything = lambda row: True  # noqa: E731
    pairs += _pairs("nli/mnli_dev_matched.jsonl", everything, datasets=datasets)
    pairs += _pairs("nli/anli_dev.jsonl", everything, datasets=datasets)
    pairs += _pairs("fever/fever_nli_binary.jsonl", lambda r: not blocked(r), coarse=True, datasets=datasets)
    pairs += _pairs("fever/sufficient_facts.jsonl", lambda r: not blocked(r), datasets=datasets)
    pairs += _pairs("covidfact/covidfact.jsonl", everything, datasets=datasets)
    fnc = fnc_train_rows(datasets)
    related = [r for r in fnc if r["orig_label"] != "unrelated"]
    unrelated = [r for r in fnc if r["orig_label"] == "unrelated"]
    pairs += data.fnc_window_pairs(related + rng.sample(unrelated, min(FNC_UNRELATED, len(unrelated))))
    rng.shuffle(pairs)
    return pairs
