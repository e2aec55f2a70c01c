"""The no-key judges side by side: the offline judge, a local LLM, and the rules that combine
them, on the same held-out pairs (the plan and the rule that picks one:
docs/history/NO-KEY-PLAN.md).

    make llm-server MODEL=qwen-1.5b &          # the local model, on 127.0.0.1:8080
    .venv/bin/python bench/no_key_bench.py [--base-url http://127.0.0.1:8080/v1] [--out FILE.json]

Each pair is judged once by each judge; every combination's label is then its policy applied
to those two verdicts (checker.judges.cascade.combined), so the LLM is asked once a pair, not
once an option. The claim_passage suite's LLM answers are the recorded ones (evals/cassettes,
replayed byte for byte, with the recording's seconds a case); the FNC-1 and SummEdits samples
ask the server live. Live answers are kept in bench/.work/no_key/ as they come, so an
interrupted run goes on where it stopped. Reads ../shared/datasets.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.config import Settings  # noqa: E402
from checker.evaluation import eval_files, evals, scoreboard  # noqa: E402
from checker.evaluation.metrics import label_metrics  # noqa: E402
from checker.judges.cascade import POLICIES, combined  # noqa: E402
from checker.judges.nli import NLIJudge  # noqa: E402
from checker.llm import local_llm  # noqa: E402
from checker.pipelines.judging import build  # noqa: E402
from checker.schemas import JUDGED_LABELS, Verdict  # noqa: E402
from training.data import fnc_rows, rows  # noqa: E402

SEED = 44
FNC_PER_LABEL = 40
SUMMEDITS_PER_LABEL = 25
QWEN = local_llm.MODELS["qwen-1.5b"]
RECORD_PORT = 18089  # the port the eval cassettes were recorded on (tests/llm_server.py)
WORK = ROOT / "bench" / ".work" / "no_key"
OPTIONS = ("offline", "qwen", *POLICIES)


def stratified(items: list[dict], per_label: int, key: Callable[[dict], str]) -> list[dict]:
    """``per_label`` items of each gold label, drawn with the plan's seed, in data order."""
    rng = random.Random(SEED)
    chosen: list[dict] = []
    for label in sorted({key(r) for r in items}):
        chosen += rng.sample([r for r in items if key(r) == label], per_label)
    order = {id(r): i for i, r in enumerate(items)}
    return sorted(chosen, key=lambda r: order[id(r)])


def samples() -> dict[str, tuple[str, list[dict]]]:
    """Each data set's rows, as (row format, rows), fixed by the plan."""
    fnc = stratified(fnc_rows(held_out=True), FNC_PER_LABEL, lambda r: r["label"])
    summedits = stratified(list(rows("summedits/summedits_news.jsonl")), SUMMEDITS_PER_LABEL, lambda r: r["label"])
    suite = evals.load_suite("claim_passage")
    out = {"claim_passage": ("suite", suite), "fnc1": ("dataset", fnc), "summedits": ("dataset", summedits)}
    for _, items in out.values():
        for number, row in enumerate(items, 1):
            row.setdefault("_line", number)
    return out


def pairs_of(kind: str, row: dict) -> list[eval_files.Pair]:
    return [evals.claim_passage_pair(row)] if kind == "suite" else eval_files.row_pairs("dataset", row)


def expected_of(kind: str, row: dict, binary: bool) -> str:
    if kind == "suite":
        return row["label"]
    label = eval_files.DATASET_LABELS[row["label"]]
    return ("agree" if label == "agree" else "not_supported") if binary else label


class Answers:
    """The LLM's verdicts, one per pair, kept on disk as they come (a run resumes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.kept: dict[str, dict] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                self.kept[entry["key"]] = entry

    def get(self, key: str, ask: Callable[[], tuple[Verdict, float, int]]) -> dict:
        if key not in self.kept:
            verdict, seconds, calls = ask()
            entry = {"key": key, "label": verdict.label, "confidence": verdict.confidence, "error": verdict.error, "seconds": seconds, "calls": calls}
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry) + "\n")
            self.kept[key] = entry
        return self.kept[key]


def llm_asker(base_url: str) -> Callable[[eval_files.Pair], tuple[Verdict, float, int]]:
    settings = Settings(base_url=base_url, model=QWEN.name, structured_output="tools", timeout=600, max_retries=0, concurrency=1)
    judging = build("llm", settings, None)
    meter = judging.asker.meter  # type: ignore[union-attr]

    def ask(pair: eval_files.Pair) -> tuple[Verdict, float, int]:
        before = meter.usage().calls
        started = time.perf_counter()
        verdict = judging.judge.judge(*pair)
        return verdict, round(time.perf_counter() - started, 3), meter.usage().calls - before

    return ask


def recorded_seconds() -> dict[str, float]:
    """Seconds a case of Qwen's recorded claim_passage run took when it was recorded."""
    found = [r for r in scoreboard.load_results() if r.suite == "claim_passage" and r.judge == "llm" and r.model == QWEN.name]
    found = [r for r in found if (r.structured_output or "tools") == "tools"]
    latest = max(found, key=lambda r: r.recorded_at)
    return {r.id: r.seconds for r in latest.results}


def judge_all(base_url: str) -> dict[str, list[dict]]:
    """Every pair of every data set: the offline verdict and the LLM's, with times and calls."""
    import vcr

    offline = NLIJudge()
    answers = Answers(WORK / "qwen.jsonl")
    live = llm_asker(base_url)
    replayed = llm_asker(f"http://127.0.0.1:{RECORD_PORT}/v1")
    seconds_then = recorded_seconds()
    cassette = ROOT / "evals" / "cassettes" / f"test_replayed_scores_are_not_below_the_recorded_baseline[{QWEN.key}-claim_passage].yaml"
    recorder = vcr.VCR(record_mode="none", match_on=["method", "uri", "body"], decode_compressed_response=True)
    out: dict[str, list[dict]] = {}
    for name, (kind, items) in samples().items():
        binary = kind == "dataset" and eval_files.is_binary(items)
        out[name] = []
        for row in items:
            judged = []
            for number, pair in enumerate(pairs_of(kind, row)):
                started = time.perf_counter()
                first = offline.judge(*pair)
                offline_seconds = round(time.perf_counter() - started, 3)
                key = f"{name}:{row.get('id', row['_line'])}:{number}"
                if name == "claim_passage":
                    with recorder.use_cassette(str(cassette)):
                        verdict, _, calls = replayed(pair)
                    if verdict.error and "CannotOverwriteExistingCassette" in verdict.error:
                        raise SystemExit(
                            f"{key}: the recorded Qwen answers do not hold this request; re-record with `make evals-record MODEL=qwen-1.5b`"
                        )
                    second = {"label": verdict.label, "confidence": verdict.confidence, "error": verdict.error, "calls": calls}
                    second["seconds"] = seconds_then[row["id"]]
                else:
                    second = answers.get(key, lambda pair=pair: live(pair))
                judged.append({"offline": first, "offline_seconds": offline_seconds, "llm": second})
            out[name].append({"id": str(row.get("id", row["_line"])), "expected": expected_of(kind, row, binary), "binary": binary, "pairs": judged})
            print(f"{name} {len(out[name])}/{len(items)}", end="\r", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    return out


def option_label(option: str, pair: dict) -> tuple[str, float, int]:
    """(label, seconds, LLM calls) of one pair under one option."""
    first: Verdict = pair["offline"]
    llm = pair["llm"]
    as_verdict = Verdict(label=llm["label"], confidence=llm["confidence"], error=llm["error"], judge="llm")
    if option == "offline":
        return first.label, pair["offline_seconds"], 0
    if option == "qwen":
        return llm["label"], llm["seconds"], llm["calls"]
    verdict, asked = combined(first, POLICIES[option], lambda: as_verdict)
    return verdict.label, pair["offline_seconds"] + (llm["seconds"] if asked else 0.0), llm["calls"] if asked else 0


def scores(judged: dict[str, list[dict]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for option in OPTIONS:
        table[option] = {}
        for name, items in judged.items():
            gold, predicted, seconds, calls, pair_count = [], [], 0.0, 0, 0
            for item in items:
                labels = []
                for pair in item["pairs"]:
                    label, spent, asked = option_label(option, pair)
                    labels.append(label)
                    seconds += spent
                    calls += asked
                    pair_count += 1
                label = eval_files.weakest(labels)
                if item["binary"]:
                    label = "agree" if label == "agree" else "not_supported"
                gold.append(item["expected"])
                predicted.append(label)
            judged_labels = ("agree", "not_supported") if items and items[0]["binary"] else JUDGED_LABELS
            metrics = label_metrics(list(zip(gold, predicted)), judged_labels)
            table[option][name] = metrics | {
                "seconds_per_pair": round(seconds / pair_count, 3),
                "calls_per_pair": round(calls / pair_count, 3),
                "items": len(items),
                "pairs": pair_count,
                "predicted": dict(zip([i["id"] for i in items], predicted)),
            }
        measures = [table[option]["claim_passage"]["accuracy"], table[option]["fnc1"]["macro_f1"], table[option]["summedits"]["macro_f1"]]
        table[option]["score"] = round(sum(measures) / len(measures), 4)
        table[option]["calls_per_pair"] = round(sum(table[option][n]["calls_per_pair"] for n in judged) / len(judged), 3)
    return table


def chosen(table: dict[str, dict[str, Any]]) -> str:
    """The plan's rule: an LLM option must beat the offline judge by 0.03; among options within
    0.01 of the best score, the fewest LLM calls per pair wins."""
    eligible = ["offline"] + [o for o in OPTIONS if o != "offline" and table[o]["score"] >= table["offline"]["score"] + 0.03]
    best = max(table[o]["score"] for o in eligible)
    close = [o for o in eligible if table[o]["score"] >= best - 0.01]
    return min(close, key=lambda o: (table[o]["calls_per_pair"], -table[o]["score"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8080/v1", help="the local model's server (default: make llm-server's)")
    parser.add_argument("--out", type=Path, default=WORK / "run.json", help="where to write the figures (JSON)")
    args = parser.parse_args()
    table = scores(judge_all(args.base_url))
    winner = chosen(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"model": QWEN.name, "seed": SEED, "options": table, "chosen": winner}, indent=1) + "\n")
    for option in OPTIONS:
        row = table[option]
        parts = [
            f"{n} {'acc' if n == 'claim_passage' else 'F1'} {row[n]['accuracy' if n == 'claim_passage' else 'macro_f1']}"
            for n in ("claim_passage", "fnc1", "summedits")
        ]
        print(f"{option:30} score {row['score']:.4f}  {'  '.join(parts)}  calls/pair {row['calls_per_pair']}")
    print(f"chosen by the plan's rule: {winner}")


if __name__ == "__main__":
    main()
