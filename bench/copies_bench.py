"""How well the wire-copy rule (checker/articles/copies.py) tells copies from same-story
articles, on real news bodies: FNC-1's article bodies (../shared/datasets/fnc1), many of which
are one agency story carried by several sites, and many more of which are different outlets'
own reports of the same story (same headline claim, written apart).

    .venv/bin/python bench/copies_bench.py candidates   # the real pairs to label, by containment
    .venv/bin/python bench/copies_bench.py measure      # precision and recall with the labels

Real pairs: every pair of distinct FNC-1 bodies (train and competition test) that share at
least one word 5-gram beyond boilerplate, with its containment. Labels: two samples
of the pairs at containment 0.15 or more, 8 a bin in six bins, read and labelled copy / not
copy (bench/copies_labels.json: body keys and labels only, no text, with the criterion); the
first chose the threshold, the second measures it. Below 0.15 nothing was labelled: the
lowest bin held no copy in either sample. Synthetic recall on top: real bodies
republished the way syndication edits them (a new dateline lead, the last paragraphs cut,
a boilerplate footer, a few words changed), against the same bodies' own same-story
neighbours as negatives.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.articles import copies  # noqa: E402
from checker.articles.sentences import split  # noqa: E402
from checker.schemas import Article, text_sha256  # noqa: E402
from training.data import rows  # noqa: E402

LABELS = ROOT / "bench" / "copies_labels.json"
BAND = 0.15  # pairs at this containment or more were labelled by hand
FILES = ("fnc1/fnc1_train_related_only.jsonl", "fnc1/fnc1_train_unrelated_sample.jsonl", "fnc1/fnc1_competition_test_related_only.jsonl")


def bodies() -> dict[str, str]:
    """Each distinct body text once, keyed 'train:ID' or 'test:ID'."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    for name in FILES:
        split_name = "test" if "test" in name else "train"
        for row in rows(name):
            key = f"{split_name}:{row['meta']['body_id']}"
            text = row["premise_or_evidence"]
            if key in found or text in seen:
                continue
            found[key] = text
            seen.add(text)
    return found


def articles(texts: dict[str, str]) -> list[Article]:
    # Each body its own outlet: the rule only pairs articles of different outlets.
    return [Article(id=key, outlet=key, text=text, sha256=text_sha256(text)) for key, text in texts.items()]


def candidates(texts: dict[str, str]) -> dict[tuple[str, str], float]:
    return copies.copy_pairs(articles(texts), copy_at=0.0)


def show(texts: dict[str, str], limit: int = 400) -> None:
    found = candidates(texts)
    band = sorted(((s, p) for p, s in found.items() if s >= BAND), reverse=True)
    print(f"{len(found)} pairs share a 5-gram; {len(band)} at containment {BAND} or more", file=sys.stderr)
    for score, (a, b) in band[:limit]:
        ta, tb = texts[a], texts[b]
        print(json.dumps({"a": a, "b": b, "containment": score, "len": [len(ta), len(tb)], "a_start": ta[:160], "b_start": tb[:160]}))


def republished(text: str, rng: random.Random) -> str | None:
    """A body as a republisher carries it: a dateline lead, the last paragraphs cut, a few
    words changed, a footer."""
    sentences = [s.text for s in split(text)]
    if len(sentences) < 6:
        return None
    keep = sentences[: max(4, int(len(sentences) * rng.uniform(0.6, 0.9)))]
    words = " ".join(keep).split(" ")
    for _ in range(3):
        i = rng.randrange(len(words))
        words[i] = rng.choice(["said", "reported", "officials", "on Monday", "the"])
    lead = rng.choice(["LONDON (Reuters) - ", "NEW YORK (AP) — ", "PARIS (AFP) - ", ""])
    footer = rng.choice(["\n\nCopyright 2017 The Associated Press. All rights reserved.", "\n\nReporting by staff; editing by the desk.", ""])
    return lead + " ".join(words) + footer


def stratified(rows: list[dict], threshold: float) -> dict[str, float | None]:
    """Precision and recall at ``threshold`` from a labelled sample drawn per containment bin,
    each bin's share of copies weighted by the pairs in it."""
    bins: dict[tuple[float, float], list[dict]] = {}
    for row in rows:
        bins.setdefault(tuple(row["bin"]), []).append(row)
    flagged = flagged_copies = all_copies = 0.0
    for (low, _), labelled in bins.items():
        size = labelled[0]["bin_size"]
        share = sum(r["copy"] for r in labelled) / len(labelled)
        all_copies += share * size
        # A bin lies wholly on one side of each threshold measured (the bins' edges).
        if low >= threshold:
            flagged += size
            flagged_copies += share * size
    return {
        "precision": round(flagged_copies / flagged, 3) if flagged else None,
        "recall": round(flagged_copies / all_copies, 3) if all_copies else None,
    }


def measure(texts: dict[str, str]) -> dict:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    found = candidates(texts)
    out: dict = {
        "source": "FNC-1 bodies (train and competition test), ../shared/datasets/fnc1",
        "bodies": len(texts),
        "pairs_sharing_a_5gram": len(found),
    }
    for name in ("tuning", "measure"):
        rows_ = labels[name]
        out[name] = {f"at_{t}": stratified(rows_, t) for t in (0.4, 0.5, 0.6, 0.8)}
    out["rule"] = {"copy_at": copies.COPY_AT, "flagged_pairs": sum(s >= copies.COPY_AT for s in found.values())}
    # Synthetic republications of real bodies (the edits syndication makes).
    rng = random.Random(17)
    keys = sorted(texts)
    rng.shuffle(keys)
    hits, scored = 0, 0
    for key in keys[:300]:
        copy = republished(texts[key], rng)
        if copy is None:
            continue
        scored += 1
        hits += copies.containment(copies.shingles(texts[key]), copies.shingles(copy)) >= copies.COPY_AT
    out["synthetic_recall"] = {"pairs": scored, "recall": round(hits / scored, 3) if scored else None}
    return out


def main() -> None:
    texts = bodies()
    if sys.argv[1:2] == ["candidates"]:
        show(texts)
    else:
        print(json.dumps(measure(texts), indent=1))


if __name__ == "__main__":
    main()
