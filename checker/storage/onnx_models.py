"""Running checker's two small transformers with ONNX Runtime and the ``tokenizers`` library.

The embedder (all-MiniLM-L6-v2) and the offline judge (the fine-tuned cross-encoder) are
exported once from their torch weights (``make export-models``, training/export_onnx.py)
into a folder holding ``model.onnx`` and ``tokenizer.json``. Reading them needs neither
torch nor transformers, so the runtime install is small and a command starts fast; torch
is only for training (the ``train`` extra).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"


class OnnxEncoder:
    """One exported model: token ids in, the graph's single output (logits or vectors) out."""

    def __init__(self, folder: Path, max_length: int, fix: str) -> None:
        for name in (ONNX_FILE, TOKENIZER_FILE):
            if not (folder / name).exists():
                raise ConfigError(f"{folder / name} is missing", fix)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        try:
            self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as exc:  # noqa: BLE001 - the tokenizers library raises a bare Exception
            raise ConfigError(f"{folder / TOKENIZER_FILE} cannot be read ({_first_line(exc)})", fix) from None
        # Truncation and padding are set here, not trusted from the file: the embedder's
        # tokenizer.json pads every text to 128 tokens, the sentence-transformers pipeline it
        # replaces reads up to 256 and pads to the longest text of the batch.
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.log_severity_level = 3  # warnings about unused initializers are for the exporter, not users
        try:
            self.session = ort.InferenceSession(str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own RuntimeError kinds for a bad file
            raise ConfigError(f"{folder / ONNX_FILE} cannot be loaded ({_first_line(exc)})", fix) from None
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.batch_invariant = self._batch_invariant()

    def run(self, batch: Sequence[str] | Sequence[tuple[str, str]]) -> np.ndarray:
        """The output rows of ``batch``. Each row depends on its own item only: a graph whose
        rows move with their batch-mates is run one item at a time."""
        import numpy as np

        if not self.batch_invariant and len(batch) > 1:
            return np.concatenate([self._run(batch[i : i + 1]) for i in range(len(batch))])
        return self._run(batch)

    def _run(self, batch: Sequence[str] | Sequence[tuple[str, str]]) -> np.ndarray:
        import numpy as np

        encodings = self.tokenizer.encode_batch(list(batch))
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        return self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]

    def _batch_invariant(self) -> bool:
        """Whether an item's output is the same alone as beside a longer item, measured once.

        An int8 export (ONNX Runtime's dynamic quantization) quantizes each matrix product's
        input with one scale for the whole batch, padding included, so a judge pair's
        probabilities moved by up to 0.47 with its batch-mates and 64 of 2,000 SNLI verdicts
        changed (bench/batch_invariance_bench.py): a verdict must not depend on what else was
        judged in the same call. Float exports differ here only by rounding.
        """
        import numpy as np

        short: tuple[str, str] = ("Troops left.", "Troops stayed.")
        longer: tuple[str, str] = (
            "Russian forces have fully withdrawn from the capital and the city to its north, officials said on Wednesday.",
            "All of the forces left.",
        )
        alone, beside = self._run([short]), self._run([short, longer])[:1]
        return bool(np.allclose(alone, beside, atol=1e-4))


def batches_by_length(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Indices of the items, shortest first, ``batch_size`` at a time: each batch pads to its
    longest item, so similar lengths together keep wasted work small. Callers write each
    batch's rows back at these indices, so results keep the caller's order."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    for lo in range(0, len(order), batch_size):
        yield order[lo : lo + batch_size]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
