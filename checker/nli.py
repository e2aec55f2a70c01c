"""The offline judge: a fine-tuned MiniLM cross-encoder, no API key, no network.

The model (models/nli-minilm/, trained by training/train_nli.py) scores a (premise, claim)
pair as entailment / neutral / contradiction. A claim is scored against every sentence of
the retrieved passages, and against each pair of neighbouring sentences (SummaC's lesson:
a whole passage dilutes the one sentence that decides), and the strongest sentence wins.
Beside the model, a deterministic check compares numbers: a claim whose figure differs
from the figure the best-matching sentence gives for the same thing is a contradiction
the model often misses. The quote is always the deciding sentence of the other article,
so it is verbatim by construction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker import resources, sentences
from checker.errors import ConfigError
from checker.judge import finalise
from checker.onnx_models import ONNX_FILE
from checker.schemas import Article, Claim, Evidence, Verdict

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from checker.onnx_models import OnnxEncoder

BUNDLED_MODEL = resources.bundled_judge_dir()
# CHECKER_JUDGE_MODEL names another folder of weights; read once, when the judge is first imported.
MODEL_DIR = resources.judge_model_dir()
ENTAIL, NEUTRAL, CONTRA = 0, 1, 2
# Decision thresholds on the strongest sentence's probabilities. They belong to the weights:
# `python -m training.tune_thresholds --write` chooses them on tuning data no score is
# reported on (never on the eval suites) and stores them beside the weights; these defaults
# apply to weights without that file.
AGREE_AT = 0.55
CONTRADICT_AT = 0.55
THRESHOLDS_FILE = "thresholds.json"


_FIX = "Restore models/ from the repository, or run `make train-judge` (it exports the ONNX file too)"


@lru_cache(maxsize=1)
def _load(path: Path = MODEL_DIR) -> OnnxEncoder:
    """The judge as exported to ONNX (model.onnx beside the torch weights): no torch here."""
    from checker.onnx_models import OnnxEncoder

    return OnnxEncoder(path, max_length=256, fix=_FIX)


def probabilities(pairs: list[tuple[str, str]], batch_size: int = 64, max_len: int = 256, loaded=None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Rows of (entailment, neutral, contradiction) probabilities, one per (premise, claim),
    from the bundled judge through ONNX Runtime, or from ``loaded``: a torch (tokenizer,
    model) pair that training has just made (the SNLI probe scores it before any export)."""
    import numpy as np

    if not pairs:
        return np.zeros((0, 3), dtype=np.float32)
    if loaded is not None:
        from checker.cross_encoder import probabilities as torch_probabilities

        return torch_probabilities(pairs, loaded, batch_size=batch_size, max_len=max_len)
    from checker.onnx_models import batches_by_length

    encoder = _load()
    out = np.zeros((len(pairs), 3), dtype=np.float32)
    for index in batches_by_length([len(p) + len(c) for p, c in pairs], batch_size):
        logits = encoder.run([pairs[i] for i in index]).astype(np.float32)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        out[index] = exp / exp.sum(axis=1, keepdims=True)
    return out


# -- numbers --------------------------------------------------------------------------------
#
# The model reads "85,000 troops" against "8,500 troops" as a paraphrase: the two sentences
# share every other word. So figures are compared beside it, deterministically: the same
# thing (the word after the number) counted differently, a different amount of money, or
# the same span of time given in different units ("two weeks" against "two months").

# "bn" and "m" are scales only after a currency sign ("$5bn"); otherwise "5m" is metres.
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
_WORDS = {
    w: float(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {"thirty": 30.0, "forty": 40.0, "fifty": 50.0, "hundred": 100.0, "dozen": 12.0}
# An amount of money is compared whatever words follow it ("$10 million in aid" against
# "$100 million of assistance"), within its currency.
_CURRENCY = {"$": "$", "us$": "$", "£": "£", "€": "€"}
_FIGURE = re.compile(
    r"(US\$|\$|£|€)?\s?(?<![\w.])(\d[\d,]*(?:\.\d+)?|(?:" + "|".join(_WORDS) + r")\b)\s*"
    r"((?:million|billion|trillion|thousand|percent|bn|m)\b|%)?\s*([a-z]+)?",
    re.I,
)
_AGO = re.compile(r"\s+(?:ago|earlier|before)\b", re.I)
# Words after a number that say nothing about what it counts ("one of the", "two in ten").
_NOT_A_UNIT = {
    "of",
    "the",
    "a",
    "an",
    "and",
    "or",
    "in",
    "to",
    "on",
    "at",
    "for",
    "by",
    "from",
    "with",
    "as",
    "per",
    "than",
    "that",
    "who",
    "which",
    "is",
    "are",
    "was",
    "were",
    "more",
    "other",
    "others",
    "such",
}
_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.4, "year": 365.0}
# Two figures within this relative distance are the same figure rounded ("about 8,500").
SAME_FIGURE = 0.02


def _unit(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def figures(text: str) -> dict[str, set[float]]:
    """Numbers keyed by the word after them ('troop', 'refugee'), scaled ('4 million' -> 4e6);
    amounts of money by their currency ('money $'); spans of time also in days under
    'duration'. Years are dates, not quantities: skipped."""
    found: dict[str, set[float]] = {}
    for match in _FIGURE.finditer(text):
        currency, number, scale, unit = match.group(1) or "", match.group(2), (match.group(3) or "").lower(), match.group(4) or ""
        if _AGO.match(text, match.end()):
            continue  # "three days ago" is a date relative to the report, not a span
        if scale in ("bn", "m") and not currency:
            continue
        if number[0].isdigit():
            try:
                value = float(number.replace(",", ""))
            except ValueError:
                continue
            if 1900 <= value <= 2100 and not (scale or currency) and "," not in number:  # a year
                continue
        elif number.lower() in _WORDS:
            value = _WORDS[number.lower()]
        else:
            continue
        value *= _SCALE.get(scale, 1.0)
        if currency:
            key = "money " + _CURRENCY[currency.lower()]
        elif scale in ("percent", "%"):
            key = "percent"  # "7% of voters", "7 percent of the vote": the share is what is compared
        elif not unit or unit.lower() in _NOT_A_UNIT:
            continue
        else:
            key = _unit(unit)
        found.setdefault(key, set()).add(value)
        if key in _DAYS:
            found.setdefault("duration", set()).add(value * _DAYS[key])
    return found


def _same(a: float, values: set[float]) -> bool:
    return any(abs(a - b) <= SAME_FIGURE * max(abs(a), abs(b), 1e-9) for b in values)


def numbers_disagree(claim: str, sentence: str, elsewhere: str = "") -> bool:
    """The same thing counted differently ('4 million refugees' vs '10 million refugees').

    ``elsewhere`` is the rest of the other report's evidence: a figure the claim gives that
    appears there too is not in conflict, even if this sentence gives another one."""
    a, b, rest = figures(claim), figures(sentence), figures(elsewhere)
    return any(unit in b and not _same(value, b[unit] | rest.get(unit, set())) for unit, values in a.items() for value in values)


# -- spelling -------------------------------------------------------------------------------
#
# Outlets transliterate place names differently ("Kiev" in older and Russian-sourced copy,
# "Kyiv" elsewhere); to the model two spellings are two words, so a paraphrase can read as
# unrelated. Both sides are read with one spelling; the quote stays verbatim.
_SPELLINGS = {
    "Kiev": "Kyiv",
    "Kharkov": "Kharkiv",
    "Odessa": "Odesa",
    "Chernigov": "Chernihiv",
    "Lvov": "Lviv",
    "Nikolaev": "Mykolaiv",
    "Nikolayev": "Mykolaiv",
    "Zaporozhye": "Zaporizhzhia",
    "Lugansk": "Luhansk",
    "Donbass": "Donbas",
    "Dnepr": "Dnipro",
    "Chernobyl": "Chornobyl",
}
_SPELLING = re.compile(r"\b(" + "|".join(_SPELLINGS) + r")(?=\b|'s\b)")


def same_spelling(text: str) -> str:
    """The text with one spelling per place name (model input only, never a quote)."""
    return _SPELLING.sub(lambda m: _SPELLINGS[m.group(1)], text)


# -- the judge ------------------------------------------------------------------------------


@dataclass
class Scored:
    start: int
    end: int
    text: str
    probs: np.ndarray


def _single(best: Scored, scored: list[Scored], label: int, threshold: float) -> Scored:
    """The deciding span, or the strongest single sentence inside it when that alone reaches
    the threshold: a reader checks one sentence faster than two paragraphs."""
    inside = [s for s in scored if best.start <= s.start and s.end <= best.end and (s.start, s.end) != (best.start, best.end)]
    alone = max(inside, key=lambda s: s.probs[label], default=None)
    return alone if alone is not None and alone.probs[label] >= threshold else best


def candidate_spans(other: Article, evidence: list[Evidence]) -> list[tuple[int, int]]:
    """Sentences of the evidence passages, and neighbouring pairs, as spans of ``other``."""
    spans: set[tuple[int, int]] = set()
    for passage in evidence:
        sents = sentences.split(other.text[passage.start : passage.end], offset=passage.start)
        spans.update((s.start, s.end) for s in sents)
        spans.update((a.start, b.end) for a, b in zip(sents, sents[1:]))
    return sorted(spans)


@lru_cache(maxsize=1)
def weights_sha(path: Path = MODEL_DIR) -> str:
    """A short hash of the weights: part of the judge's name, hence of every cache key that
    stores its verdicts, so retrained weights never reuse the old weights' verdicts."""
    import hashlib

    digest = hashlib.sha256()
    with (path / ONNX_FILE).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:8]


def thresholds(path: Path = MODEL_DIR) -> tuple[float, float]:
    """(agree_at, contradict_at) stored with the weights, else the defaults."""
    stored = path / THRESHOLDS_FILE
    if not stored.exists():
        return AGREE_AT, CONTRADICT_AT
    try:
        found = json.loads(stored.read_text(encoding="utf-8"))
        return float(found["agree_at"]), float(found["contradict_at"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{stored} is not a valid thresholds file ({exc})",
            "Restore models/ from the repository, or run `python -m training.tune_thresholds --write`",
        ) from exc


class NLIJudge:
    def __init__(self) -> None:
        _load()  # fail at once, with the fix, if the weights are missing
        self.model_name = "nli-minilm"
        self.agree_at, self.contradict_at = thresholds()
        # The name keys every stored verdict: new weights or thresholds must not reuse old ones.
        self.name = f"nli:minilm:{weights_sha()}:{self.agree_at:g}/{self.contradict_at:g}"

    def score(self, claim: Claim, other: Article, evidence: list[Evidence]) -> list[Scored]:
        spans = candidate_spans(other, evidence)
        probs = probabilities([(same_spelling(other.text[s:e]), same_spelling(claim.text)) for s, e in spans])
        return [Scored(s, e, other.text[s:e], p) for (s, e), p in zip(spans, probs)]

    def judge(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> Verdict:
        return self.decide(claim, source, other, self.score(claim, other, evidence))

    def decide(self, claim: Claim, source: Article, other: Article, scored: list[Scored]) -> Verdict:
        common: dict[str, Any] = {"judge": "nli", "model": self.model_name, "prompt_sha": None}
        if not scored:
            return finalise(
                Verdict(label="not_addressed", rationale="No passage of the other article is close to the claim.", confidence=1.0, **common),
                source,
                other,
            )
        best_e = _single(max(scored, key=lambda s: s.probs[ENTAIL]), scored, ENTAIL, self.agree_at)
        best_c = _single(max(scored, key=lambda s: s.probs[CONTRA]), scored, CONTRA, self.contradict_at)
        relevant = max(scored, key=lambda s: s.probs[ENTAIL] + s.probs[CONTRA])
        numbers_clash = numbers_disagree(claim.text, relevant.text, " ".join(s.text for s in scored))
        raw = (
            f"entail {best_e.probs[ENTAIL]:.3f} at [{best_e.start}:{best_e.end}]; "
            f"contradict {best_c.probs[CONTRA]:.3f} at [{best_c.start}:{best_c.end}]; numbers clash: {numbers_clash}"
        )
        # A figure clash overrides the model's entailment: its entailment is least reliable
        # exactly here (the sentences share every other word).
        if numbers_clash:
            verdict = Verdict(
                label="contradict",
                quote=relevant.text,
                confidence=round(float(max(relevant.probs[CONTRA], 0.6)), 3),
                rationale="The other report gives a different figure for the same thing.",
                raw=raw,
                **common,
            )
        elif best_e.probs[ENTAIL] >= self.agree_at and best_e.probs[ENTAIL] >= best_c.probs[CONTRA]:
            verdict = Verdict(
                label="agree",
                quote=best_e.text,
                confidence=round(float(best_e.probs[ENTAIL]), 3),
                rationale="A sentence of the other report states the same.",
                raw=raw,
                **common,
            )
        elif best_c.probs[CONTRA] >= self.contradict_at:
            verdict = Verdict(
                label="contradict",
                quote=best_c.text,
                confidence=round(float(best_c.probs[CONTRA]), 3),
                rationale="A sentence of the other report is incompatible with the claim.",
                raw=raw,
                **common,
            )
        else:
            top = max(best_e.probs[ENTAIL], best_c.probs[CONTRA])
            verdict = Verdict(
                label="not_addressed",
                confidence=round(float(1.0 - top), 3),
                rationale="No sentence of the other report supports or contradicts the claim.",
                raw=raw,
                **common,
            )
        if verdict.label == "contradict" and source.published and other.published and source.published != other.published:
            # A contradiction between reports of different dates about the same subject may be
            # an update rather than a conflict: the later one supersedes the earlier.
            later = "the other report" if other.published > source.published else "this report"
            verdict = verdict.model_copy(
                update={
                    "label": "superseded",
                    "rationale": f"{verdict.rationale} The reports are {abs((other.published - source.published).days)} days apart; {later} is later.",
                }
            )
        return finalise(verdict, source, other)
