"""Turning index records into terminal tables and JSON; nothing here computes anything."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import BaseModel
from rich.table import Table
from rich.text import Text

from checker.schemas import ArticleSummary, SearchHit


def to_json(records: Sequence[BaseModel] | BaseModel) -> str:
    if isinstance(records, BaseModel):
        return records.model_dump_json(indent=2)
    return json.dumps([r.model_dump(mode="json") for r in records], indent=2, ensure_ascii=False)


def articles_table(articles: Sequence[ArticleSummary]) -> Table:
    table = Table(title=f"{len(articles)} indexed article{'s' if len(articles) != 1 else ''}", title_justify="left")
    table.add_column("published", no_wrap=True)
    table.add_column("outlet")
    table.add_column("title / id", ratio=1)
    table.add_column("chunks", justify="right")
    for a in articles:
        title = Text(a.title or "(no title)")
        title.append(f"\n{a.id}", style="dim")
        table.add_row(str(a.published or "?"), a.outlet, title, str(a.chunks))
    return table


def search_table(query: str, hits: Sequence[SearchHit]) -> Table:
    table = Table(title=f"Passages closest to: {query}", title_justify="left", show_lines=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("outlet", no_wrap=True)
    table.add_column("passage", ratio=1)
    for hit in hits:
        source = Text(hit.outlet, style="bold")
        source.append(f"\n{hit.published or 'date ?'}", style="dim")
        passage = Text(hit.text)
        passage.append(f"\n{hit.article_id} [{hit.start}:{hit.end}]", style="dim")
        table.add_row(f"{hit.score:.3f}", source, passage)
    return table
