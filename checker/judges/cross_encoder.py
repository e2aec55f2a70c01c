"""The offline judge's network: MiniLM read as a cross-encoder over (premise, claim).

Two heads can sit on the encoder. ``cls`` is BERT's own sequence classifier, which reads the
[CLS] token through BERT's pooler. ``mean`` classifies the mean of the token outputs:
all-MiniLM-L6-v2 was trained as a sentence encoder with mean pooling, so that is the output
it already makes meaningful, while its [CLS] output and pooler were never trained for a
sentence-level task. Measured on SNLI dev pairs no run trains on (training/experiments/probe_snli.py,
in the model card), the mean head learnt more at small learning rates; at 1e-4 the two
heads scored the same, so the rate, not the head, is the lever.

The head is recorded in the weights' config.json (``checker_head``); weights without it are
the ``cls`` kind. Both return an object with ``.logits`` (and ``.loss`` given labels), so
the judge does not care which head it holds. The trainer reads only ``.logits``
(its loss, ``training.train_nli.nli_loss``, also takes coarse labels).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification, BertConfig, BertModel
from transformers.modeling_outputs import SequenceClassifierOutput

from checker.errors import ConfigError

HEAD_KEY = "checker_head"
HEADS = ("cls", "mean")
WEIGHTS = "model.safetensors"


class MeanPooledClassifier(torch.nn.Module):
    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = BertModel(config, add_pooling_layer=False)
        self.dropout = torch.nn.Dropout(config.hidden_dropout_prob)
        self.classifier = torch.nn.Linear(config.hidden_size, int(config.num_labels or 0))

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None):  # type: ignore[no-untyped-def]
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)  # padding takes no part in the mean
        logits = self.classifier(self.dropout(pooled))
        loss = torch.nn.functional.cross_entropy(logits.float(), labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def from_base(base: str, head: str, labels: list[str]) -> torch.nn.Module:
    """A new classifier over the sentence-encoder weights in ``base``; the head starts random."""
    names = {"id2label": dict(enumerate(labels)), "label2id": {n: i for i, n in enumerate(labels)}}
    if head == "cls":
        return AutoModelForSequenceClassification.from_pretrained(base, num_labels=len(labels), **names)
    config = AutoConfig.from_pretrained(base, num_labels=len(labels), **names)
    setattr(config, HEAD_KEY, "mean")
    model = MeanPooledClassifier(config)
    model.encoder = BertModel.from_pretrained(base, add_pooling_layer=False)
    return model


def save(model: torch.nn.Module, out: Path) -> None:
    """fp16 safetensors and config.json in ``out`` (the caller has put the model in eval mode)."""
    out.mkdir(parents=True, exist_ok=True)
    if not isinstance(model, MeanPooledClassifier):
        model.half().save_pretrained(out, safe_serialization=True)  # type: ignore[operator]  # a transformers model
        return
    from safetensors.torch import save_file

    model.config.dtype = "float16"
    model.config.save_pretrained(out)
    save_file({k: v.half().contiguous() for k, v in model.state_dict().items()}, str(out / WEIGHTS))


_FIX = "Restore models/ from the repository, or run `make train-judge`"


def _cannot_load(what: str, path: Path, exc: Exception) -> ConfigError:
    """One line for a library's failure to load: its message's first line, cut short."""
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return ConfigError(f"the judge's {what} in {path} cannot be loaded ({first})", _FIX)


def head_of(path: Path) -> str:
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path / 'config.json'} cannot be read as the judge's config ({exc})", _FIX) from exc
    head = config.get(HEAD_KEY, "cls") if isinstance(config, dict) else None
    if head not in HEADS:
        raise ConfigError(f"{path / 'config.json'} names an unknown head {head!r} (known: {', '.join(HEADS)})", _FIX)
    return head


def load(path: Path) -> torch.nn.Module:
    """The classifier saved in ``path``, in float32 and eval mode. Damaged or mismatched
    files (a truncated download, weights of another shape) are a ConfigError naming the
    folder and the fix, not a library traceback."""
    if not (path / WEIGHTS).exists():
        raise ConfigError(f"the offline judge's weights are missing from {path}", _FIX)
    head = head_of(path)
    try:
        if head == "cls":
            model = AutoModelForSequenceClassification.from_pretrained(str(path), torch_dtype=torch.float32)
        else:
            from safetensors.torch import load_file

            model = MeanPooledClassifier(AutoConfig.from_pretrained(str(path)))
            model.load_state_dict({k: v.float() for k, v in load_file(str(path / WEIGHTS)).items()})
    except Exception as exc:  # noqa: BLE001 - transformers and safetensors raise many kinds for one cause
        raise _cannot_load("weights", path, exc) from exc
    return model.float().eval()


def load_tokenizer(path: Path):  # type: ignore[no-untyped-def]
    """The tokenizer saved beside the weights; a damaged file is a ConfigError, as for the weights."""
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(str(path))
    except Exception as exc:  # noqa: BLE001 - json, tokenizers and transformers each raise their own kind
        raise _cannot_load("tokenizer", path, exc) from exc


def probabilities(pairs: list[tuple[str, str]], loaded, batch_size: int = 64, max_len: int = 256):  # type: ignore[no-untyped-def]
    """(entailment, neutral, contradiction) rows from a torch (tokenizer, model) pair: how
    training scores a model it has not exported yet. checker itself reads the ONNX export
    (checker.judges.nli.probabilities)."""
    import numpy as np

    from checker.storage.onnx_models import batches_by_length

    tokenizer, model = loaded
    out = np.zeros((len(pairs), 3), dtype=np.float32)
    with torch.inference_mode():
        for index in batches_by_length([len(p) + len(c) for p, c in pairs], batch_size):
            encoded = tokenizer(
                [pairs[i][0] for i in index], [pairs[i][1] for i in index], truncation=True, max_length=max_len, padding=True, return_tensors="pt"
            )
            out[index] = torch.softmax(model(**encoded).logits.float(), dim=-1).numpy()
    return out
