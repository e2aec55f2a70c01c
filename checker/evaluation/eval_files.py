"""Eval files of your own: `checker eval PATH.jsonl`.

Two row formats, detected per file from its first row (evals/README.md has an example each):

- the project's claim/passage rows (``claim``, ``passage``, ``label`` as a verdict label,
  optional ``claim_date``/``passage_date``/outlets), scored like the ``claim_passage`` suite;
- data-set rows as in ../shared/datasets (``premise_or_evidence``, ``claim``, ``label``):
  ``supported`` -> agree, ``contradicted`` -> contradict, ``not_enough_info`` -> not_addressed;
  ``inconsistent`` (and WiCE's ``partially_supported``) mean "not supported", so a file whose
  labels are only ``supported`` and those is scored as binary.

A long premise (a whole article) is judged the way `compare` judges: split into sentences,
each sentence (and each neighbouring pair) scored, never truncated; a claim of several
sentences is supported only if every sentence is. Binary files get balanced accuracy and
ROC AUC from a consistency score: the offline judge's strongest entailment probability (the
weakest over a claim's sentences), or for an LLM its stated confidence in ``agree``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.articles import sentences
from checker.errors import InputError
from checker.evaluation.metrics import label_metrics
from checker.pipelines.judging import Judging
from checker.schemas import JUDGED_LABELS, Article, Claim, Evidence, Verdict, text_sha256

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

DATASET_LABELS = {
    "supported": "agree",
    "contradicted": "contradict",
    "not_enough_info": "not_addressed",
    "inconsistent": "not_supported",
    "partially_supported": "not_supported",
}
SEED = 13


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def read_rows(path: Path) -> tuple[str, list[dict[str, Any]]]:
    """(format, rows) of an eval file; a bad line is one InputError naming it and the field."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})", "Give a UTF-8 JSONL file, one case per line") from None
    rows: list[dict[str, Any]] = []
    kind: str | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})", "Fix the line: one JSON object per line") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: not a JSON object", "Give one JSON object per line")
        kind = kind or ("dataset" if "premise_or_evidence" in row else "claim_passage")
        _check_row(path, number, kind, row)
        rows.append(row | {"_line": number})
    if not rows:
        raise InputError(f"{path}: no cases", "Give one JSON object per line")
    return kind or "dataset", rows


def _check_row(path: Path, number: int, kind: str, row: dict[str, Any]) -> None:
    fields = ("premise_or_evidence", "claim", "label") if kind == "dataset" else ("claim", "passage", "label")
    for field in fields:
        if not isinstance(row.get(field), str) or not row[field].strip():
            raise InputError(
                f"{path}:{number}: the field '{field}' is missing or empty", f"Each line of this file needs {', '.join(fields)} (see evals/README.md)"
            )
    allowed = tuple(DATASET_LABELS) if kind == "dataset" else JUDGED_LABELS
    if row["label"] not in allowed:
        raise InputError(f"{path}:{number}: the field 'label' is {row['label']!r}", f"Use one of: {', '.join(allowed)}")
    if kind == "claim_passage":
        for field in ("claim_date", "passage_date"):
            if row.get(field):
                try:
                    dt.date.fromisoformat(row[field])
                except (TypeError, ValueError):
                    raise InputError(f"{path}:{number}: the field '{field}' is {row[field]!r}", "Write it as YYYY-MM-DD") from None


def sample(rows: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """At most ``limit`` rows, drawn with a fixed seed, in file order."""
    if not limit or limit >= len(rows):
        return rows
    keep = sorted(random.Random(SEED).sample(range(len(rows)), limit))
    return [rows[i] for i in keep]


def is_binary(rows: list[dict[str, Any]]) -> bool:
    return {DATASET_LABELS.get(r["label"], r["label"]) for r in rows} <= {"agree", "not_supported"}


EVIDENCE_SENTENCES = 8  # a long premise's sentences judged per claim: the closest in meaning


@lru_cache(maxsize=4096)
def body_sentences(body: str) -> tuple[list[sentences.Sentence], np.ndarray]:
    """A premise's sentences and their embeddings, once per premise (data sets reuse them)."""
    from checker.storage import embeddings

    sents = sentences.split(body) or [sentences.Sentence(0, len(body), body)]
    return sents, embeddings.embed([s.text for s in sents])


def evidence_sentences(claim: str, body: str, k: int = EVIDENCE_SENTENCES) -> tuple[list[sentences.Sentence], float]:
    """The k sentences of ``body`` closest to the claim, in body order, and the best cosine:
    the whole premise is split and searched, as compare searches the other article, and
    the judge reads whole sentences, never a truncated premise."""
    import numpy as np

    from checker.storage import embeddings

    sents, vectors = body_sentences(body)
    scores = vectors @ embeddings.embed([claim])[0]
    keep = sorted(np.argsort(-scores)[:k])
    return [sents[i] for i in keep], float(scores.max())


def _article(name: str, text: str, published: str | None = None, outlet: str = "eval") -> Article:
    return Article(
        id=f"eval-{name}",
        outlet=outlet,
        title="",
        text=text,
        sha256=text_sha256(text),
        published=dt.date.fromisoformat(published) if published else None,
    )


Pair = tuple[Claim, Article, Article, list[Evidence]]  # what one judge call reads


def row_pairs(kind: str, row: dict[str, Any]) -> list[Pair]:
    """The judge calls one row asks for: (claim, its article, the other article, evidence),
    one per sentence of a data-set claim, one for a claim/passage row."""
    if kind == "claim_passage":
        claim_texts = [row["claim"]]
        source = _article(f"claim-{row['_line']}", row["claim"], row.get("claim_date"), row.get("claim_outlet", "eval"))
        other = _article(f"passage-{row['_line']}", row["passage"], row.get("passage_date"), row.get("passage_outlet", "eval"))
    else:
        # A summary of several sentences is judged sentence by sentence, as compare judges claims.
        claim_texts = [s.text for s in sentences.split(row["claim"])] or [row["claim"]]
        source = _article(f"claim-{row['_line']}", row["claim"])
        other = _article(f"premise-{row['_line']}", row["premise_or_evidence"])
    passage = [Evidence(chunk_id=f"{other.id}:0", text=other.text, start=0, end=len(other.text), score=1.0)]
    pairs: list[Pair] = []
    for number, text in enumerate(claim_texts):
        claim = Claim(
            id=f"{source.id}#{number}",
            article_id=source.id,
            text=text,
            speaker=source.outlet,
            kind="event",
            start=0,
            end=len(text),
            source_text=text,
            when=row.get("claim_date"),
        )
        if kind == "claim_passage":
            evidence = passage
        else:
            evidence = [
                Evidence(chunk_id=f"{other.id}:{s.start}", text=s.text, start=s.start, end=s.end, score=1.0)
                for s in evidence_sentences(text, other.text)[0]
            ]
        pairs.append((claim, source, other, evidence))
    return pairs


# A claim stands or falls with its weakest sentence: the first of these labels among them.
WEAKEST_FIRST = {"contradict": 0, "superseded": 1, "unscored": 2, "not_addressed": 3, "agree": 4}


def weakest(labels: list[str]) -> str:
    return min(labels, key=lambda label: WEAKEST_FIRST[label])


def judge_row(judging: Judging, kind: str, row: dict[str, Any]) -> tuple[str, float | None, Verdict]:
    """(predicted label, consistency score, the deciding verdict) for one row."""
    verdicts = [_judge(judging, *pair) for pair in row_pairs(kind, row)]
    verdict, _ = min(verdicts, key=lambda v: WEAKEST_FIRST[v[0].label])
    scores = [score for _, score in verdicts]
    known = [s for s in scores if s is not None]
    return verdict.label, (min(known) if len(known) == len(scores) else None), verdict


def _judge(judging: Judging, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> tuple[Verdict, float | None]:
    judge = judging.judge
    if judge.scorer is not None:  # the offline judge: keep its probabilities
        scored = judge.scorer.score(claim, other, evidence)
        verdict = judge.scorer.decide(claim, source, other, scored)
        return verdict, max((float(s.probs[0]) for s in scored), default=0.0)
    verdict = judge.judge(claim, source, other, evidence)
    if verdict.confidence is None or verdict.label == "unscored":
        return verdict, None
    return verdict, verdict.confidence if verdict.label == "agree" else 1.0 - verdict.confidence


def roc_auc(positive: list[bool], scores: list[float]) -> float:
    """The probability that a random positive scores above a random negative (ties count half)."""
    pairs = sorted(zip(scores, positive))
    ranks: list[float] = [0.0] * len(pairs)
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    n_pos = sum(p for _, p in pairs)
    n_neg = len(pairs) - n_pos
    if not n_pos or not n_neg:
        return float("nan")
    rank_sum = sum(r for r, (_, p) in zip(ranks, pairs) if p)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def binary_metrics(gold: list[bool], predicted: list[bool], scores: list[float | None]) -> dict[str, Any]:
    recalls = []
    for side in (True, False):
        total = sum(g == side for g in gold)
        recalls.append(sum(g == p == side for g, p in zip(gold, predicted)) / total if total else 0.0)
    scored = [(g, s) for g, s in zip(gold, scores) if s is not None]
    auc = roc_auc([g for g, _ in scored], [s for _, s in scored]) if scored else float("nan")
    return {
        "balanced_accuracy": round(sum(recalls) / 2, 3),
        "roc_auc": None if auc != auc else round(auc, 3),
        "supported_recall": round(recalls[0], 3),
        "not_supported_recall": round(recalls[1], 3),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted)) / len(gold), 3) if gold else 0.0,
    }


def run_file(path: Path, judging: Judging, limit: int | None = None) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """Judge every (sampled) row of an eval file: (mode, per-row results, metrics)."""

    kind, rows = read_rows(path)
    rows = sample(rows, limit)
    binary = kind == "dataset" and is_binary(rows)
    results = []
    for row in rows:
        started = time.perf_counter()
        label, score, verdict = judge_row(judging, kind, row)
        expected = DATASET_LABELS[row["label"]] if kind == "dataset" else row["label"]
        predicted = ("agree" if label == "agree" else "not_supported") if binary else label
        results.append(
            {
                "id": str(row.get("id", row["_line"])),
                "line": row["_line"],
                "expected": expected,
                "predicted": predicted,
                "correct": expected == predicted,
                "score": score,
                "confidence": verdict.confidence,
                "error": verdict.error,
                "seconds": round(time.perf_counter() - started, 3),
            }
        )
    if binary:
        metrics = binary_metrics(
            [r["expected"] == "agree" for r in results], [r["predicted"] == "agree" for r in results], [r["score"] for r in results]
        )
    else:
        metrics = label_metrics([(r["expected"], r["predicted"]) for r in results])
    return ("binary" if binary else "three-way"), results, metrics
