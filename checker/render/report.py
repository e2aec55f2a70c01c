"""A consistency report as Markdown or one self-contained HTML page.

Everything here only arranges a ``Report``: the view below turns ids into the claims,
quotes and places in article text that the templates show. All article text goes through
Jinja's autoescaping (and the page's Content-Security-Policy forbids scripts besides), so
an article containing ``<script>`` is shown, never run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from checker.pipelines.report_models import MIN_DECIDED, ClaimPair, Conflict, Copies, OutletCell, Report, ReportArticle, ReportClaim
from checker.render import markdown
from checker.render.comparison import usage_line
from checker.schemas import LABELS

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,  # a report on stdout ends its last line
)
_markdown = markdown.environment()  # escapes every value it prints (checker/render/markdown.py)


@dataclass
class Quote:
    """A verbatim span of an article, with the anchor of its place in the article text."""

    text: str
    outlet: str
    published: object
    article_id: str
    start: int
    end: int
    anchor: str


@dataclass
class PairView:
    pair: ClaimPair
    earlier: Quote
    later: Quote
    label: str
    days: int | None


@dataclass
class ConflictView:
    conflict: Conflict
    view: PairView
    event_title: str


@dataclass
class Segment:
    text: str
    marked: bool
    anchors: list[str] = field(default_factory=list)


@dataclass
class ArticleView:
    article: ReportArticle
    number: int
    segments: list[Segment]


def _anchor(number: int, start: int) -> str:
    return f"a{number}-{start}"


class _View:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.numbers = {a.id: n for n, a in enumerate(report.articles, 1)}
        self.articles = {a.id: a for a in report.articles}
        self.claims = {c.id: c for c in report.claims}
        self.spans: dict[str, set[tuple[int, int]]] = {a.id: set() for a in report.articles}
        self.pairs = {p.id: self.pair(p) for p in report.pairs}

    def quote(self, article_id: str, start: int, end: int) -> Quote:
        article = self.articles[article_id]
        self.spans[article_id].add((start, end))
        return Quote(article.text[start:end], article.outlet, article.published, article_id, start, end, _anchor(self.numbers[article_id], start))

    def claim_quote(self, claim: ReportClaim) -> Quote:
        """The claim's own words where they are verbatim in its sentence (an offline clause
        claim), else the whole sentence (an LLM's paraphrase)."""
        at = self.articles[claim.article_id].text.find(claim.text, claim.start, claim.end)
        if at >= 0:
            return self.quote(claim.article_id, at, at + len(claim.text))
        return self.quote(claim.article_id, claim.start, claim.end)

    def pair(self, pair: ClaimPair) -> PairView:
        earlier, later = self.claims[pair.earlier], self.claims[pair.later]
        verdict = pair.verdict
        if verdict is not None and verdict.quote_start is not None and verdict.quote_end is not None:
            later_quote = self.quote(later.article_id, verdict.quote_start, verdict.quote_end)
        else:
            later_quote = self.claim_quote(later)
        days = (later.published - earlier.published).days if later.published and earlier.published else None
        return PairView(pair, self.claim_quote(earlier), later_quote, verdict.label if verdict else "missing", days)

    def article_views(self) -> list[ArticleView]:
        """Articles with their text where the report quotes them; on a big corpus the rest
        would only make the page heavy, so they are listed by title."""
        return [
            ArticleView(a, self.numbers[a.id], _segments(a.text, self.spans[a.id], self.numbers[a.id]) if self.spans[a.id] else [])
            for a in self.report.articles
        ]


def _segments(text: str, spans: set[tuple[int, int]], number: int) -> list[Segment]:
    """Split the text so every quoted span is marked and every quote start has an anchor.

    Quotes can overlap (a claim's sentence and a quote inside it): marks cover the union
    of the spans, and each distinct start gets its own anchor at its exact character.
    """
    cuts = sorted({0, len(text)} | {s for s, _ in spans} | {e for _, e in spans})
    starts = {s for s, _ in spans}
    segments = []
    for lo, hi in zip(cuts, cuts[1:]):
        marked = any(s <= lo and hi <= e for s, e in spans)
        segments.append(Segment(text[lo:hi], marked, [_anchor(number, lo)] if lo in starts else []))
    return segments


# -- the heat map ---------------------------------------------------------------------------

CELL = 46


def _colour(agreement: float | None) -> str:
    if agreement is None:
        return "#e5e7eb"  # no decided pairs: grey, not a colour that reads as a score
    hue = round(120 * agreement)  # 0 = red (they contradict), 120 = green (they agree)
    return f"hsl({hue}, 70%, 62%)"


def heat_map(report: Report) -> dict[str, object]:
    """Geometry of the outlet-by-outlet matrix as an inline SVG (no script, no network)."""
    outlets = sorted({a.outlet for a in report.articles})
    cells = {(c.a, c.b): c for c in report.matrix}
    label_width = 12 + 7 * max((len(o) for o in outlets), default=4)
    rects = []
    for row, a in enumerate(outlets):
        for col, b in enumerate(outlets):
            x, y = label_width + col * CELL, 28 + row * CELL
            if a == b:
                rects.append({"x": x, "y": y, "fill": "#ffffff", "text": "", "title": a})
                continue
            cell: OutletCell | None = cells.get((a, b)) or cells.get((b, a))
            counts = cell.counts if cell else {}
            decided = counts.get("agree", 0) + counts.get("contradict", 0)
            # Counts, never a bare share: "2/3" says how little a cell rests on.
            text = f"{counts.get('agree', 0)}/{decided}" if decided else "–"
            title = (
                f"{a} vs {b}: {counts.get('agree', 0)} agree, {counts.get('contradict', 0)} contradict, "
                f"{counts.get('superseded', 0)} superseded, {counts.get('not_addressed', 0)} not addressed"
                f" ({decided} decided"
                + (
                    f"; agreement {round(100 * cell.agreement)}%)"
                    if cell and cell.agreement is not None
                    else f"; too few for a share, {MIN_DECIDED} needed)"
                )
            )
            rects.append({"x": x, "y": y, "fill": _colour(cell.agreement if cell else None), "text": text, "title": title})
    return {
        "outlets": outlets,
        "rects": rects,
        "cell": CELL,
        "label_width": label_width,
        "width": label_width + CELL * len(outlets) + 10,
        "height": 28 + CELL * len(outlets) + 10,
    }


def _context(report: Report) -> dict[str, object]:
    view = _View(report)
    events = {e.id: e for e in report.events}
    conflicts = [ConflictView(c, view.pairs[c.pair], events[c.event].title if c.event in events else "") for c in report.conflicts]
    event_views = []
    for event in report.events:
        pairs = [view.pairs[p] for p in event.pairs]
        by_outlet: dict[str, list[Quote]] = {}
        for claim_id in event.claims:
            claim = view.claims[claim_id]
            by_outlet.setdefault(claim.outlet, []).append(view.claim_quote(claim))
        event_views.append(
            {
                "event": event,
                "by_outlet": by_outlet,
                "timeline": [view.claim_quote(view.claims[c]) for c in event.claims],
                "superseded": [p for p in pairs if p.label == "superseded"],
                "contradict": [p for p in pairs if p.label == "contradict"],
                "agree": [p for p in pairs if p.label == "agree"],
                "other": [p for p in pairs if p.label not in ("superseded", "contradict", "agree")],
            }
        )
    outlets = sorted({a.outlet for a in report.articles})
    return {
        "report": report,
        "coverage": report.coverage,
        "conflicts": conflicts,
        "events": event_views,
        "outlets": outlets,
        "heat": heat_map(report),
        "decided_line": decided_line(report),
        "min_decided": MIN_DECIDED,
        "articles": view.article_views(),
        "usage": usage_line(report.usage),
        "matrix": report.matrix,
        "copies": [_copies_view(group, {a.id: a for a in report.articles}) for group in report.copies],
        "revised": [a for a in report.articles if a.versions > 1],
        "reviewed_out": [view.pairs[p] for p in report.reviewed_out if p in view.pairs],
    }


def _copies_view(group: Copies, articles: dict[str, ReportArticle]) -> dict[str, object]:
    members = [articles[m] for m in group.members if m in articles]
    return {"group": group, "members": members, "shared": round(100 * group.shared)}


def report_html(report: Report) -> str:
    return _templates.get_template("report.html.j2").render(**_context(report))


def report_markdown(report: Report) -> str:
    return _markdown.get_template("report.md.j2").render(**_context(report))


def decided_line(report: Report) -> str:
    """What the first screen says before anything else: how much of the report was decided,
    and what the rest means, so "no conflicts" is never read as "the outlets agree"."""
    c = report.coverage
    counts = {label: sum(1 for p in report.pairs if p.verdict is not None and p.verdict.label == label) for label in LABELS}
    line = (
        f"Decided {c.decided} of {c.judged} judged pairs ({counts['agree']} agree, {counts['contradict']} contradict, "
        f"{counts['superseded']} superseded); for the other {c.judged - c.decided} the judge found the later report silent on the claim "
        "(not addressed), which is no evidence of agreement."
    )
    if report.judge.startswith("nli:") and c.judged and c.decided * 3 < c.judged:
        line += (
            " The offline judge decides only where one sentence alone states or denies a claim, so most pairs stay undecided;"
            " an LLM judge (--judge llm, or cascade) decides more."
        )
    return line


def summary_line(report: Report) -> str:
    c = report.coverage
    line = (
        f"{c.articles} articles, {c.claims} claims; {c.judged} of {c.candidate_pairs} candidate pairs judged "
        f"({c.reused} reused), {c.decided} decided, {c.skipped} cross-outlet pairs skipped as unrelated; "
        f"{len(report.events)} events, {len(report.conflicts)} conflicts"
    )
    if report.partial:
        line += f". Partial: {c.missing} pairs not judged" + (f" ({c.stopped})" if c.stopped else "")
        if c.failed_articles:
            line += f"; {len(c.failed_articles)} of {c.articles} articles without claims (extraction failed)"
    return f"{line}. Judge: {report.judge}; {usage_line(report.usage)}"


__all__ = ["decided_line", "heat_map", "report_html", "report_markdown", "summary_line"]
