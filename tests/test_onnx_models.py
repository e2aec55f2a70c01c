"""The ONNX exports checker runs, against the torch models they came from; and what the
runtime no longer loads."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from checker import config
from checker.articles import chunking, sentences
from checker.articles.loading import load_file
from checker.articles.reading import discover
from checker.errors import ConfigError
from checker.judges import nli
from checker.storage import embeddings
from checker.storage.onnx_models import OnnxEncoder

ROOT = Path(__file__).resolve().parent.parent


def corpus_articles():  # type: ignore[no-untyped-def]
    return [a for path in discover([ROOT / "corpus"])[0] for a in load_file(path, 10**8).articles]


@pytest.mark.slow
def test_embeddings_match_the_sentence_transformers_pipeline_on_the_sample_corpus() -> None:
    pytest.importorskip("sentence_transformers", reason="needs the train extra: make train-install")
    from sentence_transformers import SentenceTransformer

    chunks = [c.text for a in corpus_articles() for c in chunking.split(a)]
    reference = SentenceTransformer(str(config.embedder_source_dir()), device="cpu").encode(chunks, normalize_embeddings=True)
    vectors = embeddings.embed(chunks)
    assert vectors.shape == reference.shape
    assert float((vectors * reference).sum(axis=1).min()) >= 0.999
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_embedding_rows_come_back_in_the_callers_order() -> None:
    texts = ["a much longer sentence about troops leaving the capital region", "Kyiv", "troops"]
    together = embeddings.embed(texts)
    alone = np.vstack([embeddings.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_a_judged_pair_scores_the_same_whatever_else_is_in_its_batch() -> None:
    # The shipped int8 export quantizes a batch with one scale: before the encoder checked for
    # that, this pair's entailment was 0.70 alone, 0.74 beside the longer pair, 0.66 beside "Kyiv.".
    premise = (
        "We all should be prepared to watch for a major offensive against other areas of Ukraine,” Kirby said, noting that the Pentagon"
        " has also recently seen “clear indications” that Russian forces are reprioritizing military operations in the Donbas region."
    )
    claim = "“We see clear indications that the Ukrainian forces are fighting back and are bravely defending their country,” he said."
    longer = "Russian forces have fully withdrawn from the Ukrainian capital, Kyiv, and the city of Chernihiv to its north. " + premise
    alone = nli.probabilities([(premise, claim)])[0]
    for mate in [(longer, claim), ("Kyiv.", claim)]:
        assert np.allclose(nli.probabilities([(premise, claim), mate])[0], alone, atol=1e-5)


class _PerBatchScale:
    """A stand-in session whose rows depend on the batch (one scale for all rows), as int8's do."""

    def run(self, _outputs, feed):  # type: ignore[no-untyped-def]
        ids = feed["input_ids"].astype(np.float32)
        return [ids.sum(axis=1, keepdims=True) / max(1.0, float(ids.max()))]


def test_a_graph_whose_rows_move_with_the_batch_is_run_one_item_at_a_time() -> None:
    encoder = OnnxEncoder(config.bundled_embedder_dir(), max_length=32, fix="")
    assert encoder.batch_invariant  # the float embedder batches
    encoder.session, encoder.inputs = _PerBatchScale(), {"input_ids"}  # type: ignore[assignment]
    assert not encoder._batch_invariant()
    encoder.batch_invariant = False
    texts = ["troops", "a much longer sentence about troops leaving the capital region"]
    assert np.allclose(encoder.run(texts), np.vstack([encoder.run([t]) for t in texts]))


@pytest.mark.slow
def test_the_judge_export_decides_as_the_torch_weights_do() -> None:
    pytest.importorskip("torch", reason="needs the train extra: make train-install")
    from checker.judges import cross_encoder

    texts = [s.text for a in corpus_articles() for s in sentences.split(a.text)]
    pairs = list(itertools.islice(((p, h) for p, h in itertools.product(texts, texts) if p != h), 0, None, 53))[:600]
    loaded = (cross_encoder.load_tokenizer(nli.MODEL_DIR), cross_encoder.load(nli.MODEL_DIR))
    reference = cross_encoder.probabilities(pairs, loaded)
    exported = nli.probabilities(pairs)
    # An export in lower precision (int8, or fp16 weights) may move probabilities a little; the label a pair gets almost never changes
    # (the held-out figures are in the model card: within 0.005 of torch's).
    assert float((exported.argmax(1) == reference.argmax(1)).mean()) >= 0.98
    assert float(np.abs(exported - reference).mean()) < 0.02


@pytest.mark.slow
def test_a_fresh_export_of_the_judge_matches_torch(tmp_path: Path) -> None:
    pytest.importorskip("onnx", reason="needs the train extra: make train-install")
    from checker.judges import cross_encoder
    from training.export_onnx import export_judge

    export_judge(nli.MODEL_DIR, tmp_path, "fp16w")
    pairs = [("Russian forces have fully withdrawn from Kyiv.", "Russian troops left Kyiv."), ("It rained.", "The sun shone all day.")]
    loaded = (cross_encoder.load_tokenizer(nli.MODEL_DIR), cross_encoder.load(nli.MODEL_DIR))
    encoder = OnnxEncoder(tmp_path, max_length=256, fix="")
    logits = encoder.run(pairs)
    exported = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.allclose(exported, cross_encoder.probabilities(pairs, loaded), atol=2e-3)
    assert (tmp_path / "thresholds.json").exists() and (tmp_path / "tokenizer.json").exists()


def test_a_missing_export_names_the_file_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(ConfigError) as caught:
        OnnxEncoder(tmp_path, max_length=16, fix="Run `make export-models`")
    assert "model.onnx is missing" in str(caught.value) and "make export-models" in caught.value.one_line()


def test_a_damaged_export_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    (tmp_path / "tokenizer.json").write_bytes((config.bundled_embedder_dir() / "tokenizer.json").read_bytes())
    with pytest.raises(ConfigError) as caught:
        OnnxEncoder(tmp_path, max_length=16, fix="Run `make export-models`")
    assert "cannot be loaded" in str(caught.value) and "\n" not in caught.value.one_line()


@pytest.mark.parametrize("argv", [["--help"], ["articles", "--store", "{tmp}"], ["compare", "missing-a.txt", "missing-b.txt", "--store", "{tmp}"]])
def test_help_listing_and_bad_input_load_no_model(argv: list[str], tmp_path: Path) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    probe = (
        "import sys\n"
        f"sys.argv = ['checker', *{argv!r}]\n"
        "from checker.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        # checker.storage.onnx_models is imported only to load a model (chromadb itself imports onnxruntime).
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'checker.storage.onnx_models') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
