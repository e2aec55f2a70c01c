"""Probe checks beside the offline judge that need no training: two of polarity, on tuning data
no score is reported on, and contradiction read both ways, on caption pairs.

    .venv/bin/python -m training.experiments.probe_polarity [--fnc 1000]
    .venv/bin/python -m training.experiments.probe_polarity --directions

Why: the suite's missed contradictions are negations and antonyms inside long news
sentences ("has admitted" against "has repeatedly denied"), which the model reads as
paraphrases. None of the three was adopted (the model card, "Polarity checks").

- Negate and entail: the claim with its polarity flipped (a "not" after its first auxiliary
  verb inserted or removed) is scored too; the check fires when the flipped claim is
  entailed (at least 0.5) and at least 0.5 more than the claim itself. Contradiction read
  as entailment of the opposite, where the model is stronger.
- A negated shared word: a content word that the evidence sentence negates (a "not", "no",
  "never" or "n't" at most two words before it) and the claim asserts, or the other way
  round, where the two share at least 3 content words and half of the claim's; only where
  the model does not already agree, on the sentence it finds most relevant or the one
  sharing most words with the claim.

- (--directions) Contradiction read both ways, on caption pairs: the raw model's 3-way
  accuracy when the contradiction probability is the larger, or the mean, of the two
  directions (premise, claim) and (claim, premise). Chosen on SICK's TEST split, which no
  mixture trains on; SNLI test shown beside it.

It prints, per data set and gold label, how many items each check fires on: a check worth
adopting fires on contradicted items far more often than on supported ones. Items: 1,000
FNC-1 training-body headlines unseen in training (the threshold-tuning rows) and the 389
SummEdits items of its tuning articles (a summary counts when any of its sentences fires).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter

import numpy as np

from checker.judges.nli import CONTRA, ENTAIL, probabilities
from training.data import fnc_tuning_rows, nli_pairs
from training.evaluate_nli import evidence_sentences, summary_claims, summedits_halves

_AUX = r"(?:is|are|was|were|has|have|had|will|would|can|could|should|must|may|might|did|does|do)"
_NEGATED = re.compile(rf"\b({_AUX})(?: not|n[’']t)\b", re.I)
_ASSERTED = re.compile(rf"\b({_AUX})\b(?! not\b)", re.I)
_NEGATORS = {"not", "no", "never", "n't", "nor", "without", "neither"}
_STOP = set(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "from",
        "with",
        "as",
        "and",
        "or",
        "but",
        "if",
        "than",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "he",
        "she",
        "they",
        "them",
        "his",
        "her",
        "their",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "said",
        "says",
        "say",
        "told",
        "according",
        "there",
        "here",
        "also",
        "very",
        "more",
        "most",
        "some",
        "any",
        "all",
        "so",
        "such",
        "only",
        "just",
        "up",
        "out",
        "over",
        "about",
        "into",
        "after",
        "before",
        "while",
        "when",
        "where",
        "which",
        "who",
        "what",
        "how",
        "why",
        "now",
        "then",
        "still",
        "yet",
        "again",
        "even",
        "much",
        "many",
        "other",
        "one",
        "two",
        "three",
        "mr",
        "mrs",
        "ms",
    ]
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|[.,;:!?“”\"()—–]")


def flipped(claim: str) -> str | None:
    """The claim with a "not" after its first auxiliary removed or inserted; None without one."""
    negated = _NEGATED.search(claim)
    if negated:
        return claim[: negated.start()] + negated.group(1) + claim[negated.end() :]
    asserted = _ASSERTED.search(claim)
    return claim[: asserted.end()] + " not" + claim[asserted.end() :] if asserted else None


def _tokens(text: str) -> list[str]:
    out = []
    for token in _TOKEN.findall(text):
        low = token.lower().replace("’", "'")
        out += [low[:-3], "n't"] if low.endswith("n't") and len(low) > 3 else [low]
    return out


def polarities(text: str, scope: int = 2) -> dict[str, set[bool]]:
    """Content words (their first 6 letters) and whether each is asserted (True) or negated."""
    found: dict[str, set[bool]] = {}
    left = 0
    tokens = _tokens(text)
    for i, token in enumerate(tokens):
        if token in _NEGATORS:
            if not (token == "not" and i + 1 < len(tokens) and tokens[i + 1] in ("only", "just")):
                left = scope
            continue
        if not token[0].isalpha():
            left = 0  # punctuation ends a negation's reach
            continue
        if token not in _STOP and len(token) >= 3:
            found.setdefault(token[:6], set()).add(left == 0)
        left = max(left - 1, 0)
    return found


def negated_shared_word(claim: str, sentence: str) -> str | None:
    a, b = polarities(claim), polarities(sentence)
    shared = [w for w in a if w in b]
    if len(shared) < 3 or len(shared) < 0.5 * len(a):
        return None
    return next((w for w in shared if len(a[w]) == 1 and len(b[w]) == 1 and a[w] != b[w]), None)


def checks(claim: str, body: str, agree_at: float) -> dict[str, bool]:
    sents, _ = evidence_sentences(claim, body)
    texts = [s.text for s in sents]
    other = flipped(claim)
    probs = probabilities([(t, claim) for t in texts] + ([(t, other) for t in texts] if other else []))
    p, q = probs[: len(texts)], probs[len(texts) :]
    negate_and_entail = bool(other) and bool(((q[:, ENTAIL] - p[:, ENTAIL]) >= 0.5).any() and q[:, ENTAIL].max() >= 0.5)
    words = lambda text: set(text.lower().split())  # noqa: E731
    relevant = {int((p[:, ENTAIL] + p[:, CONTRA]).argmax()), max(range(len(texts)), key=lambda i: len(words(claim) & words(texts[i])))}
    shared_word = p[:, ENTAIL].max() < agree_at and any(negated_shared_word(claim, texts[i]) for i in relevant)
    return {"negate_and_entail": negate_and_entail, "negated_shared_word": bool(shared_word)}


def both_directions() -> None:
    for name, keep in (("nli/sick.jsonl", lambda r: r["meta"].get("semeval_set") == "TEST"), ("nli/snli_test.jsonl", lambda r: True)):
        pairs = nli_pairs(name, keep=keep)
        gold = np.array([p.label for p in pairs])
        forward = probabilities([(p.premise, p.hypothesis) for p in pairs])
        backward = probabilities([(p.hypothesis, p.premise) for p in pairs])
        accuracy = {"forward": forward}
        for how, combine in (("max", np.maximum), ("mean", lambda a, b: (a + b) / 2)):
            both = forward.copy()
            both[:, CONTRA] = combine(forward[:, CONTRA], backward[:, CONTRA])
            accuracy[how] = both
        print(json.dumps({name: {"pairs": len(pairs)} | {k: round(float((v.argmax(1) == gold).mean()), 4) for k, v in accuracy.items()}}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fnc", type=int, default=1000, help="FNC-1 tuning items")
    parser.add_argument("--directions", action="store_true", help="contradiction read both ways, on SICK TEST and SNLI test")
    args = parser.parse_args()
    if args.directions:
        return both_directions()
    from checker.judges.nli import thresholds

    agree_at = thresholds()[0]
    sets = {
        "fnc1_tuning": [(r["label"], [(r["claim"], r["premise_or_evidence"])]) for r in fnc_tuning_rows(args.fnc)],
        "summedits_tuning": [(r["label"], [(c, r["premise_or_evidence"]) for c in summary_claims(r)]) for r in summedits_halves()[1]],
    }
    report: dict[str, dict[str, dict[str, str]]] = {}
    for name, items in sets.items():
        totals: Counter = Counter()
        fired: dict[str, Counter] = {"negate_and_entail": Counter(), "negated_shared_word": Counter()}
        for gold, claims in items:
            totals[gold] += 1
            found = [checks(claim, body, agree_at) for claim, body in claims]
            for check in fired:
                fired[check][gold] += any(f[check] for f in found)
        report[name] = {check: {g: f"{counts[g]}/{totals[g]}" for g in sorted(totals)} for check, counts in fired.items()}
        print(json.dumps({name: report[name]}), flush=True)


if __name__ == "__main__":
    main()
