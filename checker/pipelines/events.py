"""From judged claim pairs to what an analyst reads: events, ranked conflicts, the outlet matrix.

Pure functions over report records, with no I/O, so the shape of a report is tested
without a model or an index.

Events are clusters of claims joined by their pairs, strongest similarity first. Plain
connected components chain: on a big corpus one loose pair at a time glues unrelated
stories into one giant "event". A size cap on each merge (single linkage with a ceiling)
keeps events readable; the pairs it refuses to merge are still judged and reported.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from itertools import combinations

from checker.pipelines.report_models import MIN_DECIDED, ClaimPair, Conflict, Event, OutletCell, ReportClaim
from checker.schemas import LABELS

# Pairing casts a wide net (a similarity floor of 0.5 by default) so that a contradiction
# phrased differently is still judged; an event needs claims closer than that, or every
# claim about the same war becomes one event. Pairs between events still count in the
# conflicts and the matrix.
EVENT_SIMILARITY = 0.6
MAX_EVENT_CLAIMS = 12


class _Clusters:
    def __init__(self, items: list[str]) -> None:
        self.parent = {i: i for i in items}
        self.size = dict.fromkeys(items, 1)

    def find(self, item: str) -> str:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: str, b: str, cap: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or self.size[ra] + self.size[rb] > cap:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def _date_key(claim: ReportClaim) -> tuple:
    return (claim.published is None, claim.published, claim.outlet, claim.id)


def group_events(
    claims: dict[str, ReportClaim], pairs: list[ClaimPair], join_at: float = EVENT_SIMILARITY, cap: int = MAX_EVENT_CLAIMS
) -> list[Event]:
    """Cluster the paired claims into events and set each pair's ``event`` (None between events)."""
    linked = sorted({c for p in pairs for c in (p.earlier, p.later)})
    clusters = _Clusters(linked)
    for pair in sorted(pairs, key=lambda p: (-p.similarity, p.id)):
        if pair.similarity >= join_at:
            clusters.join(pair.earlier, pair.later, cap)
    for pair in pairs:
        pair.event = None
    members: dict[str, list[str]] = defaultdict(list)
    for claim_id in linked:
        members[clusters.find(claim_id)].append(claim_id)
    events: list[Event] = []
    for ids in members.values():
        inside = set(ids)
        event_pairs = [p for p in pairs if p.earlier in inside and p.later in inside and p.similarity >= join_at]
        if not event_pairs:
            continue
        degree = Counter(c for p in event_pairs for c in (p.earlier, p.later))
        ordered = sorted(ids, key=lambda c: _date_key(claims[c]))
        central = max(ordered, key=lambda c: (degree[c], -ordered.index(c)))
        dates = [d for d in (claims[c].published for c in ordered) if d is not None]
        counts = Counter(p.verdict.label if p.verdict else "missing" for p in event_pairs)
        event_id = "ev-" + hashlib.sha1("|".join(sorted(ids)).encode()).hexdigest()[:10]
        for pair in event_pairs:
            pair.event = event_id
        events.append(
            Event(
                id=event_id,
                title=claims[central].text,
                outlets=sorted({claims[c].outlet for c in ids}),
                claims=ordered,
                pairs=[p.id for p in sorted(event_pairs, key=lambda p: p.id)],
                first=min(dates) if dates else None,
                last=max(dates) if dates else None,
                counts=dict(counts),
            )
        )
    # Most disputed first, then the most widely covered.
    return sorted(events, key=lambda e: (-(e.counts.get("contradict", 0) + e.counts.get("superseded", 0)), -len(e.outlets), -len(e.claims), e.id))


def rank_conflicts(pairs: list[ClaimPair], events: list[Event], outlets: int) -> list[Conflict]:
    """Contradictions and supersessions, the most important and most certain first.

    Importance is the share of the report's outlets that cover the event: a dispute about
    something everyone reported matters more than one about a detail one outlet added.
    """
    coverage = {e.id: len(e.outlets) / max(outlets, 1) for e in events}
    between = 2 / max(outlets, 1)  # a pair outside any event: just its own two outlets
    conflicts = []
    for pair in pairs:
        if pair.verdict is None or pair.verdict.label not in ("contradict", "superseded"):
            continue
        importance = round(coverage.get(pair.event, between) if pair.event else between, 3)
        confidence = pair.verdict.confidence if pair.verdict.confidence is not None else 0.5
        conflicts.append(
            Conflict(
                pair=pair.id,
                event=pair.event,
                label=pair.verdict.label,
                importance=importance,
                confidence=round(confidence, 3),
                score=round(importance * confidence, 4),
            )
        )
    return sorted(conflicts, key=lambda c: (-c.score, c.label != "contradict", c.pair))


def outlet_matrix(claims: dict[str, ReportClaim], pairs: list[ClaimPair]) -> list[OutletCell]:
    """One cell per pair of outlets (both orders share it), with every label counted."""
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    outlets = sorted({c.outlet for c in claims.values()})
    for pair in pairs:
        if pair.verdict is None:
            continue
        a, b = sorted((claims[pair.earlier].outlet, claims[pair.later].outlet))
        counts[(a, b)][pair.verdict.label] += 1
    cells = []
    for a, b in combinations(outlets, 2):
        seen = counts.get((a, b), Counter())
        decided = seen["agree"] + seen["contradict"]
        share = round(seen["agree"] / decided, 3) if decided >= MIN_DECIDED else None
        cells.append(OutletCell(a=a, b=b, counts={label: seen.get(label, 0) for label in LABELS}, agreement=share, decided=decided))
    return cells
