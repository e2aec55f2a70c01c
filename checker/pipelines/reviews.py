"""Reviews: a fact-checker's decision on a verdict, kept across runs, applied to reports, and
exported as the team's own eval file.

A review names a pair: a claim and the other article it was judged against (the pair id of
`checker report`, the same for `compare`'s verdict on that claim and article). It is stored
with the versions of both articles it was given for, so re-running or re-ingesting unchanged
articles keeps it in force, and a changed article flags it (shown, no longer applied) rather
than losing it. A report leaves pairs marked wrong or dismissed out of its conflicts and
counts, and lists them apart. Confirmed and corrected reviews export as claim/passage rows
that `checker eval FILE.jsonl` scores.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from checker.errors import InputError
from checker.pipelines.report_models import ClaimPair, Review
from checker.pipelines.report_pairs import pair_id
from checker.schemas import JUDGED_LABELS
from checker.storage.results_base import ResultsStore
from checker.storage.store import Store

DECISIONS = ("confirmed", "wrong", "dismissed")


def find_verdict(results: ResultsStore, pair: str) -> dict[str, Any] | None:
    """The latest stored verdict of ``pair``, with its claim, article and versions."""
    found: dict[str, Any] | None = None
    for judge, claim_id, claim_version, other, other_version, result, created in results.verdict_rows():
        if pair_id(claim_id, other) == pair and (found is None or created >= found["created"]):
            found = {
                "judge": judge,
                "claim_id": claim_id,
                "claim_version": claim_version,
                "other_article": other,
                "other_version": other_version,
                "verdict": result.get("verdict") or {},
                "created": created,
            }
    return found


def review(results: ResultsStore, pair: str, decision: str, reviewer: str, right_label: str | None = None, note: str | None = None) -> Review:
    """Store ``reviewer``'s decision on ``pair``'s verdict; InputError naming what is wrong."""
    if decision not in DECISIONS:
        raise InputError(f"--decision {decision}: not a decision", f"Use one of: {', '.join(DECISIONS)}")
    if decision == "wrong" and right_label not in JUDGED_LABELS:
        raise InputError("--decision wrong needs the label the verdict should have had", f"Add --label with one of: {', '.join(JUDGED_LABELS)}")
    if decision != "wrong" and right_label:
        raise InputError(f"--label goes with --decision wrong, not {decision}", "Leave --label out")
    found = find_verdict(results, pair)
    if found is None:
        raise InputError(
            f"{pair}: no stored verdict has this pair id", "Take pair ids from `checker report --format json` (pairs[].id) or the HTML report"
        )
    verdict = found["verdict"]
    claim_text = results.claim_text(found["claim_id"].split("#", 1)[0], found["claim_id"]) or ""
    record = {
        "pair_id": pair,
        "reviewer": reviewer,
        "decision": decision,
        "right_label": right_label if decision == "wrong" else None,
        "note": note,
        "label": verdict.get("label", "unscored"),
        "judge": found["judge"],
        "claim_id": found["claim_id"],
        "claim_version": found["claim_version"],
        "other_article": found["other_article"],
        "other_version": found["other_version"],
        "claim_text": claim_text,
        "quote": verdict.get("quote"),
    }
    results.store_review(record)
    return as_review(record | {"created": dt.datetime.now(dt.UTC).timestamp()})


def as_review(record: dict[str, Any], changed: bool = False) -> Review:
    return Review(
        pair=record["pair_id"],
        reviewer=record["reviewer"],
        decision=record["decision"],
        right_label=record.get("right_label"),
        note=record.get("note"),
        label=record["label"],
        judge=record["judge"],
        reviewed_at=dt.datetime.fromtimestamp(float(record["created"]), dt.UTC).replace(microsecond=0),
        changed=changed,
    )


def attach(results: ResultsStore, pairs: list[ClaimPair], versions: dict[str, str], article_of_claim: dict[str, str]) -> list[str]:
    """Give each pair its latest review (flagged ``changed`` when either article's version is
    not the one reviewed); the ids of the pairs the reviews take out of the report."""
    latest = {r["pair_id"]: r for r in results.reviews([p.id for p in pairs])}  # newest last wins
    removed = []
    for pair in pairs:
        record = latest.get(pair.id)
        if record is None:
            continue
        earlier, later = article_of_claim.get(pair.earlier), article_of_claim.get(pair.later)
        changed = versions.get(earlier or "") != record["claim_version"] or versions.get(later or "") != record["other_version"]
        pair.review = as_review(record, changed)
        if pair.review.removes:
            removed.append(pair.id)
    return removed


def export(results: ResultsStore, store: Store) -> tuple[str, int, int]:
    """The reviewed verdicts as claim/passage eval rows (confirmed: the verdict's label; wrong:
    the right one): (the JSONL text, rows, reviews left out: dismissed, or no quote)."""
    latest = {r["pair_id"]: r for r in results.reviews()}
    rows, left_out = [], 0
    for record in latest.values():
        label = record["label"] if record["decision"] == "confirmed" else record.get("right_label")
        if record["decision"] == "dismissed" or label not in JUDGED_LABELS or not record.get("quote") or not record.get("claim_text"):
            left_out += 1
            continue
        source = store.get_article(record["claim_id"].split("#", 1)[0])
        other = store.get_article(record["other_article"])
        row: dict[str, Any] = {"id": record["pair_id"], "claim": record["claim_text"], "passage": record["quote"], "label": label}
        for side, found in (("claim", source), ("passage", other)):
            if found is not None:
                row[f"{side}_outlet"] = found.article.outlet
                if found.article.published:
                    row[f"{side}_date"] = found.article.published.isoformat()
        row |= {"reviewer": record["reviewer"], "decision": record["decision"], "judge": record["judge"]}
        rows.append(row)
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), len(rows), left_out
