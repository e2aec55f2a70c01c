"""Average the weights of judges fine-tuned along one path (a "uniform soup").

    .venv/bin/python -m training.average_weights --out .train/soup-kl .train/run-k .train/run-l
    .venv/bin/python -m training.average_weights --out .train/soup-kl --from-git ef200c9 --from-git 78156a3

Each source is a folder as ``training.train_nli`` writes it (config.json, model.safetensors,
the tokenizer) or, with ``--from-git REV``, the judge committed at that revision
(models/nli-minilm/ in the repository's history). The sources must share one architecture
(the same tensor names and shapes; checked). Tensors are averaged in float32 and saved in
fp16 as the judge ships; the config and tokenizer are the first source's. Thresholds are not
copied: an averaged model is a new model, and ``training.tune_thresholds`` chooses its own.
Why averaging at all, and the rule that decides whether an average ships: docs/history/SOUP-PLAN.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

WEIGHTS = "model.safetensors"
# What an average takes from its first source; training.json is written anew (what was averaged).
COPIED = ("config.json", "tokenizer.json", "tokenizer_config.json")
COMMITTED = "models/nli-minilm"
REPOSITORY = Path(__file__).resolve().parent.parent


def average(sources: list[Path]) -> dict[str, np.ndarray]:
    """The element-wise mean of each tensor over ``sources``, in float32."""
    from safetensors.numpy import load_file

    if not sources:
        raise SystemExit("average_weights: name at least one folder of weights to average")
    total: dict[str, np.ndarray] = {}
    for source in sources:
        tensors = load_file(str(source / WEIGHTS))
        if total and (set(tensors) != set(total) or any(tensors[k].shape != total[k].shape for k in total)):
            raise SystemExit(f"average_weights: {source} holds other tensors than {sources[0]}; average judges of one architecture")
        for name, tensor in tensors.items():
            total[name] = total.get(name, 0) + tensor.astype(np.float32)
    return {name: tensor / len(sources) for name, tensor in total.items()}


def write(tensors: dict[str, np.ndarray], first: Path, out: Path, sources: list[str]) -> None:
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(v.astype(np.float16)) for k, v in tensors.items()}, str(out / WEIGHTS))
    for name in COPIED:
        if (first / name).exists():
            shutil.copy(first / name, out / name)
    # What the folder is, for the model card: the averaged sources replace the training record.
    (out / "training.json").write_text(json.dumps({"averaged": sources}, indent=2) + "\n")


def from_git(revision: str, into: Path) -> Path:
    """The judge committed at ``revision``, written into a folder of ``into``."""
    folder = into / revision
    folder.mkdir(parents=True, exist_ok=True)
    for name in (WEIGHTS, *COPIED):
        found = subprocess.run(["git", "show", f"{revision}:{COMMITTED}/{name}"], capture_output=True, check=False, cwd=REPOSITORY)
        if found.returncode == 0:
            (folder / name).write_bytes(found.stdout)
        elif name == WEIGHTS:
            raise SystemExit(f"average_weights: no {COMMITTED}/{WEIGHTS} at revision {revision!r} (git: {found.stderr.decode().strip()})")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, help="folders of weights to average")
    parser.add_argument("--from-git", action="append", default=[], metavar="REV", help="the judge committed at REV (repeatable)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="checker-soup-") as tmp:
        sources = list(args.folders) + [from_git(rev, Path(tmp)) for rev in args.from_git]
        names = [str(f) for f in args.folders] + [f"git:{rev}" for rev in args.from_git]
        write(average(sources), sources[0], args.out, names)
    print(f"averaged {len(names)} judges into {args.out}: {', '.join(names)}")


if __name__ == "__main__":
    main()
