"""Wall time of short commands, for two installs of checker side by side (issue: ONNX runtime).

    .venv/bin/python bench/startup_bench.py --bin OLD/bin/checker --bin NEW/bin/checker [--runs 5]

Each install indexes the sample corpus into its own store first; then `checker --help`,
`checker articles` and `checker search QUERY` run ``--runs`` times each, the installs
alternating so both see the same machine state. Prints the median wall time of each and the
ratio new/old. The installs are what a user gets from `pip install .` (a wheel, not the
editable checkout, whose import hook adds its own start-up time).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = "Russian forces have withdrawn from Kyiv"


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", action="append", type=Path, required=True, help="a checker executable (give two: before, after)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="checker-startup-") as work:
        stores = {b: Path(work) / f"store{i}" for i, b in enumerate(args.bin)}
        for binary, store in stores.items():
            subprocess.run([str(binary), "ingest", str(ROOT / "corpus"), "--store", str(store)], check=True, capture_output=True)
        commands = {
            "checker --help": lambda b: [str(b), "--help"],
            "checker articles": lambda b: [str(b), "articles", "--store", str(stores[b])],
            "checker search QUERY": lambda b: [str(b), "search", QUERY, "-k", "3", "--store", str(stores[b])],
        }
        times: dict[tuple[str, Path], list[float]] = {}
        for name, make in commands.items():
            for _ in range(args.runs):
                for binary in args.bin:
                    times.setdefault((name, binary), []).append(timed(make(binary)))
    old, new = args.bin[0], args.bin[-1]
    print(f"median of {args.runs} runs; before: {old}, after: {new}\n")
    print("| command | before s | after s | after / before |")
    print("|---|---:|---:|---:|")
    for name in commands:
        before, after = statistics.median(times[(name, old)]), statistics.median(times[(name, new)])
        print(f"| `{name}` | {before:.2f} | {after:.2f} | {after / before:.2f} |")


if __name__ == "__main__":
    main()
