"""The offline judge: a fine-tuned MiniLM cross-encoder, no API key, no network.

The model (models/nli-minilm/, trained by training/train_nli.py) scores a (premise, claim)
pair as entailment / neutral / contradiction. A claim is scored against every sentence of
the retrieved passages, and against each pair of neighbouring sentences (SummaC's lesson:
a whole passage dilutes the one sentence that decides), and the strongest sentence wins:
for `agree`, one sentence alone, as the thresholds are tuned and the held-out figures
measured; for `contradict`, a pair too (a clash can need the sentence before it).
Beside the model, a deterministic check compares numbers: a claim whose figure differs
from the figure the best-matching sentence gives for the same thing is a contradiction
the model often misses. The quote is always the deciding sentence of the other article,
so it is verbatim by construction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker import config
from checker.articles import sentences
from checker.articles.attribution import statement_of
from checker.articles.language import not_english
from checker.errors import ConfigError
from checker.judges.base import finalise
from checker.judges.figures import numbers_disagree, same_spelling
from checker.schemas import Article, Claim, Evidence, Verdict
from checker.storage.onnx_models import ONNX_FILE

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from checker.storage.onnx_models import OnnxEncoder

BUNDLED_MODEL = config.bundled_judge_dir()
# CHECKER_JUDGE_MODEL names another folder of weights; read once, when the judge is first imported.
MODEL_DIR = config.judge_model_dir()
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
    from checker.storage.onnx_models import OnnxEncoder

    return OnnxEncoder(path, max_length=256, fix=_FIX)


def probabilities(pairs: list[tuple[str, str]], batch_size: int = 64, max_len: int = 256, loaded=None, model_dir: Path = MODEL_DIR) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Rows of (entailment, neutral, contradiction) probabilities, one per (premise, claim),
    from the bundled judge through ONNX Runtime, or from ``loaded``: a torch (tokenizer,
    model) pair that training has just made (the SNLI probe scores it before any export)."""
    import numpy as np

    if not pairs:
        return np.zeros((0, 3), dtype=np.float32)
    if loaded is not None:
        from checker.judges.cross_encoder import probabilities as torch_probabilities

        return torch_probabilities(pairs, loaded, batch_size=batch_size, max_len=max_len)
    from checker.storage.onnx_models import batches_by_length

    encoder = _load(model_dir)
    out = np.zeros((len(pairs), 3), dtype=np.float32)
    for index in batches_by_length([len(p) + len(c) for p, c in pairs], batch_size):
        logits = encoder.run([pairs[i] for i in index]).astype(np.float32)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        out[index] = exp / exp.sum(axis=1, keepdims=True)
    return out


# -- the judge ------------------------------------------------------------------------------


def statement_contradiction(pairs: list[tuple[str, str]], probs: np.ndarray, model_dir: Path = MODEL_DIR) -> np.ndarray:
    """``probs`` of (premise, claim) pairs with each contradiction raised to what the pair's
    statements give, their attribution taken off (checker.articles.attribution): "have not
    withdrawn from Kyiv, officials said" read as hedging gave `agree` to "have withdrawn".
    Entailment stays the sentence's as written: an attributed report does not itself assert
    what it reports (FNC-1 calls it "discuss"), so attribution never makes an `agree`."""
    import numpy as np

    stated = [(statement_of(p), statement_of(c)) for p, c in pairs]
    differ = [i for i, (pair, statement) in enumerate(zip(pairs, stated)) if pair != statement]
    if differ:
        again = probabilities([stated[i] for i in differ], model_dir=model_dir)
        probs[differ, CONTRA] = np.maximum(probs[differ, CONTRA], again[:, CONTRA])
    return probs


def read_pairs(pairs: list[tuple[str, str]], model_dir: Path = MODEL_DIR) -> np.ndarray:
    """What the judge reads of (premise, claim) pairs: one spelling per place name, and each
    pair's contradiction from its statements too (``statement_contradiction``)."""
    spelled = [(same_spelling(p), same_spelling(c)) for p, c in pairs]
    return statement_contradiction(spelled, probabilities(spelled, model_dir=model_dir), model_dir)


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


def single_sentences(scored: list[Scored]) -> list[Scored]:
    """The spans that hold no other span: the sentences, not the pairs.

    Only these may decide `agree` (since 2026-12-03). The model gives two same-story sentences
    together an entailment neither earns alone: Axios's "a relocation, not a real withdrawal"
    and its next sentence score 0.72 against "Russian forces have fully withdrawn from Kyiv",
    each sentence at most 0.37; and the thresholds are tuned, and the held-out figures
    measured, on single sentences (training/evaluate_nli.py), never on pairs.
    """
    return [s for s in scored if not any(o is not s and s.start <= o.start and o.end <= s.end for o in scored)]


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
    def __init__(self, model_dir: Path | None = None) -> None:
        """``model_dir``: a folder of judge weights (settings' judge_model), else the bundled judge."""
        self.model_dir = Path(model_dir) if model_dir else MODEL_DIR
        _load(self.model_dir)  # fail at once, with the fix, if the weights are missing
        self.model_name = "nli-minilm"
        self.agree_at, self.contradict_at = thresholds(self.model_dir)
        # The name keys every stored verdict: new weights or thresholds must not reuse old ones.
        # "e1": agreement decided by one sentence (2026-12-03); "e2": each pair scored apart from
        # its batch-mates (2026-12-03, checker/storage/onnx_models.py); "e3": spans of time
        # compared by count (checker/judges/figures.py); "e4": contradiction read from the
        # statement too (read_pairs). Verdicts stored before a change are not reused.
        self.name = f"nli:minilm:{weights_sha(self.model_dir)}:{self.agree_at:g}/{self.contradict_at:g}:e4"
        # Declared capabilities (checker.judges.base): it scores sentences; it asks no LLM.
        self.llm = None
        self.scorer: NLIJudge | None = self
        self.screening = None

    def score(self, claim: Claim, other: Article, evidence: list[Evidence]) -> list[Scored]:
        spans = candidate_spans(other, evidence)
        probs = read_pairs([(other.text[s:e], claim.text) for s, e in spans], model_dir=self.model_dir)
        return [Scored(s, e, other.text[s:e], p) for (s, e), p in zip(spans, probs)]

    def judge(self, claim: Claim, source: Article, other: Article, evidence: list[Evidence]) -> Verdict:
        unread = self.cannot_read(claim, evidence)
        if unread:
            # The model was trained on English only: a label on text it cannot read is a guess.
            return Verdict(label="unscored", judge="nli", model=self.model_name, error=unread, rationale=unread)
        return self.decide(claim, source, other, self.score(claim, other, evidence))

    @staticmethod
    def cannot_read(claim: Claim, evidence: list[Evidence]) -> str | None:
        """Why the offline judge cannot judge this pair (a claim or evidence not in English), else None."""
        for what, text in (("the claim", claim.text), ("the evidence", " ".join(e.text for e in evidence))):
            language = not_english(text)
            if language:
                return f"the offline judge reads English only, and {what} is in {language}; use an LLM judge (--judge llm or cascade)"
        return None

    def decide(self, claim: Claim, source: Article, other: Article, scored: list[Scored]) -> Verdict:
        common: dict[str, Any] = {"judge": "nli", "model": self.model_name, "prompt_sha": None}
        if not scored:
            return finalise(
                Verdict(label="not_addressed", rationale="No passage of the other article is close to the claim.", confidence=1.0, **common),
                source,
                other,
            )
        best_e = max(single_sentences(scored), key=lambda s: s.probs[ENTAIL])
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
