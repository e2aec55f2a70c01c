"""Training and held-out data for the offline judge, read from ../shared/datasets at run time.

Nothing here is ever written into the repository. Splits are fixed by the data itself
(SNLI dev vs test, SICK's own TRAIN/TRIAL/TEST) or by a hash of the article body (FNC-1),
so the held-out parts are the same on every run and never trained on.

Labels: 0 = entailment (supported), 1 = neutral (not enough info), 2 = contradiction, and
3 = not entailed (neutral or contradiction, not told apart: RTE's "not_entailment"), which
the loss reads as a set of two labels (training/train_nli.nli_loss), never as a fourth class.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from checker.articles import sentences

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
LABEL_IDS = {"supported": 0, "not_enough_info": 1, "contradicted": 2}
LABEL_NAMES = ["entailment", "neutral", "contradiction"]
NOT_ENTAILED = 3  # a coarse label: neutral or contradiction


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: int
    source: str


def rows(name: str, datasets: Path = DATASETS) -> Iterator[dict]:
    path = datasets / name
    if not path.exists():
        raise SystemExit(f"{path} is missing: the training data is read from ../shared/datasets beside the checkout")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def untokenize(text: str) -> str:
    """SNLI is tokenised ("a man ."): join punctuation back as news text has it."""
    return re.sub(r" ([.,!?;:'])", r"\1", text).replace(" n't", "n't")


def nli_pairs(name: str, keep: callable = lambda row: True, datasets: Path = DATASETS) -> list[Pair]:
    return [
        Pair(untokenize(r["premise_or_evidence"]), untokenize(r["claim"]), LABEL_IDS[r["label"]], name)
        for r in rows(name, datasets)
        if r["label"] in LABEL_IDS and keep(r)
    ]


def fnc_held_out(body: str) -> bool:
    """One body in five is held out for evaluation, by a hash of its text."""
    return int(hashlib.sha1(body.encode()).hexdigest(), 16) % 5 == 0


def fnc_rows(held_out: bool, datasets: Path = DATASETS) -> list[dict]:
    return [r for r in rows("fnc1/fnc1_competition_test_related_only.jsonl", datasets) if fnc_held_out(r["premise_or_evidence"]) == held_out]


# -- news pairs made from real sentences ------------------------------------------------------

NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.]*\d)")
_AUX = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could|should|did|does|do)\b(?! not\b)")
_NEGATED = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could|should|did|does|do) not\b")
_ANTONYMS = [
    ("increased", "decreased"),
    ("rose", "fell"),
    ("won", "lost"),
    ("confirmed", "denied"),
    ("accepted", "rejected"),
    ("higher", "lower"),
    ("more", "fewer"),
    ("before", "after"),
    ("allowed", "banned"),
    ("arrested", "released"),
    ("approved", "blocked"),
    ("agreed", "refused"),
    ("withdrew", "advanced"),
    ("true", "false"),
    ("alive", "dead"),
    ("largest", "smallest"),
]
ATTRIBUTION = re.compile(r"^(?:According to [^,]{3,60}, )|(?:,? (?:he|she|they|officials|police|[A-Z][a-z]+) (?:said|told \w+|added)\.?$)")


def _change_number(sentence: str, rng: random.Random) -> str | None:
    numbers = list(NUMBER.finditer(sentence))
    if not numbers:
        return None
    return rescale(sentence, rng.choice(numbers), rng)


def rescale(sentence: str, match: re.Match, rng: random.Random) -> str | None:
    """The sentence with the figure ``match`` (a ``NUMBER`` match) multiplied or divided."""
    raw = match.group(1).replace(",", "")
    value = float(raw)
    factor = rng.choice([0.5, 2, 3, 10, 0.1]) if value > 10 else rng.choice([2, 3, 5])
    new = value * factor if value else rng.randint(2, 9)
    text = f"{int(new):,}" if "," in match.group(1) else (f"{new:.1f}" if "." in raw else str(int(new)))
    if text == match.group(1):
        return None
    return sentence[: match.start(1)] + text + sentence[match.end(1) :]


def flip_negation(sentence: str, aux_verb: re.Pattern = _AUX, never: re.Pattern | None = None) -> str | None:
    """Remove a "not", else (with ``never``) a "never" or "no longer", else add a "not"."""
    negated = _NEGATED.search(sentence)
    if negated:
        return sentence[: negated.start()] + negated.group(1) + sentence[negated.end() :]
    found = never.search(sentence) if never else None
    if found:
        return sentence[: found.start()] + ("still " if found.group(1) == "no longer" else "") + sentence[found.end() :]
    aux = aux_verb.search(sentence)
    if aux:
        return sentence[: aux.end()] + " not" + sentence[aux.end() :]
    return None


def _swap_antonym(sentence: str) -> str | None:
    for a, b in _ANTONYMS:
        for old, new in ((a, b), (b, a)):
            if re.search(rf"\b{old}\b", sentence):
                return re.sub(rf"\b{old}\b", new, sentence, count=1)
    return None


def _drop_clause(sentence: str) -> str | None:
    """A shorter sentence the original still entails: attribution or a trailing clause removed."""
    shorter = ATTRIBUTION.sub("", sentence).strip()
    if shorter != sentence and len(shorter.split()) >= 5:
        return shorter[0].upper() + shorter[1:] + ("" if shorter.endswith(".") else ".")
    parts = sentence.rsplit(", ", 1)
    if len(parts) == 2 and len(parts[0].split()) >= 6 and not re.search(r"\b(not|no|never)\b", parts[1]):
        return parts[0] + "."
    return None


def news_sentences(body: str) -> list[str]:
    """A body's sentences of 8 to 45 words, the material of contrast pairs; none when a body
    has fewer than 3 (too little to draw an unrelated sentence from)."""
    sents = [s.text for s in sentences.split(body) if 8 <= len(s.text.split()) <= 45]
    return sents if len(sents) >= 3 else []


def news_pairs(bodies: list[str], per_body: int, seed: int) -> list[Pair]:
    """Contrast pairs from real news sentences: what a news judge most often gets wrong."""
    rng = random.Random(seed)
    out: list[Pair] = []
    for body in bodies:
        sents = news_sentences(body)
        if not sents:
            continue
        for sentence in rng.sample(sents, min(per_body, len(sents))):
            others = [s for s in sents if s != sentence]
            made = {
                2: [_change_number(sentence, rng), flip_negation(sentence), _swap_antonym(sentence)],
                # The sentence itself teaches copying more than entailment: use it sparingly.
                0: [_drop_clause(sentence) or (sentence if rng.random() < 0.3 else None)],
                1: [rng.choice(others)],
            }
            for label, candidates in made.items():
                candidates = [c for c in candidates if c]
                if not candidates:
                    continue
                hypothesis = rng.choice(candidates)
                out.append(Pair(sentence, hypothesis, label, "news-synthetic"))
                if label == 2 and rng.random() < 0.5:  # contradiction is symmetric
                    out.append(Pair(hypothesis, sentence, 2, "news-synthetic"))
    return out


def fnc_window_pairs(rows_: list[dict]) -> list[Pair]:
    """FNC-1 headline vs the two body sentences sharing most words with it."""
    out = []
    for row in rows_:
        headline = row["claim"]
        words = set(re.findall(r"\w+", headline.lower()))
        sents = [s.text for s in sentences.split(row["premise_or_evidence"])]
        if not sents:
            continue
        ranked = sorted(range(len(sents)), key=lambda i: -len(words & set(re.findall(r"\w+", sents[i].lower()))))
        premise = " ".join(sents[i] for i in sorted(ranked[:2]))
        out.append(Pair(premise, headline, LABEL_IDS[row["label"]], "fnc1"))
    return out


SICK_TRAIN = ("TRAIN", "TRIAL")  # SICK's TEST split is never trained on by the committed mixture
FNC_HEADLINES = 3000  # FNC-1 training-body headlines in the committed mixture
FNC_TUNING = 1000  # other training-body rows, kept for tuning the thresholds


def base_pairs(
    rng: random.Random, fnc_headlines: int = FNC_HEADLINES, sick_splits: tuple[str, ...] | None = SICK_TRAIN, datasets: Path = DATASETS
) -> tuple[list[Pair], list[str]]:
    """The part every mixture shares: SNLI dev, SICK (``sick_splits``, None for all) and
    ``fnc_headlines`` FNC-1 training-body headlines drawn with ``rng`` against their closest
    sentences; and the training bodies, for the mixture's own news pairs."""
    snli = nli_pairs("nli/snli_dev.jsonl", datasets=datasets)
    sick = nli_pairs("nli/sick.jsonl", keep=lambda r: sick_splits is None or r["meta"].get("semeval_set") in sick_splits, datasets=datasets)
    fnc_train = fnc_rows(held_out=False, datasets=datasets)
    fnc = fnc_window_pairs(rng.sample(fnc_train, min(fnc_headlines, len(fnc_train))))
    bodies = sorted({r["premise_or_evidence"] for r in fnc_train})
    return snli + sick + fnc, bodies


def mirrored_pairs(datasets: Path = DATASETS) -> list[Pair]:
    """The other direction of pairs whose label for it is known: SICK was annotated both
    ways (``entailment_BA``), and an SNLI contradiction contradicts read either way (the two
    captions describe one scene). SICK's one-way entailments, neutral when reversed (evidence
    "A person is playing" does not support the claim "A man is playing a guitar"), teach
    that a claim adding detail to its evidence is not supported, a common news case."""
    label_ba = {"B_entails_A": 0, "B_neutral_A": 1, "B_contradicts_A": 2}
    sick = [
        Pair(untokenize(r["claim"]), untokenize(r["premise_or_evidence"]), label_ba[r["meta"]["entailment_BA"]], "nli/sick.jsonl:BA")
        for r in rows("nli/sick.jsonl", datasets)
        if r["meta"].get("semeval_set") in SICK_TRAIN
    ]
    snli = [
        Pair(p.hypothesis, p.premise, 2, "nli/snli_dev.jsonl:reversed") for p in nli_pairs("nli/snli_dev.jsonl", datasets=datasets) if p.label == 2
    ]
    return sick + snli


def _row_key(row: dict) -> tuple[str, str]:
    return row["claim"], row["premise_or_evidence"]


def fnc_unseen_rows(seed: int = 13, datasets: Path = DATASETS) -> list[dict]:
    """FNC-1 training-body rows whose headline the committed mixture did not train on."""
    train = fnc_rows(held_out=False, datasets=datasets)
    # Drawn exactly as base_pairs draws the committed mixture's headlines.
    trained = {_row_key(r) for r in random.Random(seed).sample(train, min(FNC_HEADLINES, len(train)))}
    return [r for r in train if _row_key(r) not in trained]


def _tuning_sample(unseen: list[dict], count: int | None, seed: int) -> list[dict]:
    count = FNC_TUNING if count is None else count
    return random.Random(seed).sample(unseen, min(count, len(unseen)))


def fnc_tuning_rows(count: int | None = None, seed: int = 13, datasets: Path = DATASETS) -> list[dict]:
    """FNC-1 training-body rows kept for tuning the judge's thresholds: drawn from the unseen
    rows, so no mixture may train on them."""
    return _tuning_sample(fnc_unseen_rows(seed, datasets), count, seed)


def more_headline_pairs(seed: int = 13, datasets: Path = DATASETS) -> list[Pair]:
    """Run E: the committed mixture plus every other FNC-1 training-body headline except the
    tuning ones, the only real news claims with labels in the data (about 1,700 more)."""
    rng = random.Random(seed)
    pairs, bodies = base_pairs(rng, fnc_headlines=FNC_HEADLINES, datasets=datasets)
    unseen = fnc_unseen_rows(seed, datasets)
    tuning = {_row_key(r) for r in _tuning_sample(unseen, None, seed)}
    pairs += fnc_window_pairs([r for r in unseen if _row_key(r) not in tuning])
    pairs += news_pairs(bodies, per_body=6, seed=seed)
    rng.shuffle(pairs)
    return pairs


RTE_HELD_OUT = "dev"  # RTE's re-split dev part (139 pairs) is never trained on


def rte_pairs(datasets: Path = DATASETS) -> list[Pair]:
    """RTE with its own two labels: entailed, or not entailed (NOT_ENTAILED, a set of two).

    RTE is news: long premises and short claims restated in other words, the paraphrase
    entailment the news judge misses most. Its "not_entailment" mixes neutral with
    contradiction, so calling it either would teach a wrong label on part of it; as a coarse
    label it teaches only what it says (not entailed)."""
    return [
        Pair(r["premise_or_evidence"], r["claim"], 0 if r["label"] == "supported" else NOT_ENTAILED, "nli/rte_glue_all.jsonl")
        for r in rows("nli/rte_glue_all.jsonl", datasets)
        if r["meta"].get("resplit") != RTE_HELD_OUT
    ]


def training_pairs(seed: int = 13, datasets: Path = DATASETS, mirrored: bool = False, rte: bool = False) -> list[Pair]:
    rng = random.Random(seed)
    pairs, bodies = base_pairs(rng, datasets=datasets)
    pairs += news_pairs(bodies, per_body=6, seed=seed)
    if mirrored:
        pairs += mirrored_pairs(datasets)
    if rte:
        pairs += rte_pairs(datasets)
    rng.shuffle(pairs)
    return pairs
