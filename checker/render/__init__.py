"""Output formats: terminal tables, JSON, Markdown and HTML. Nothing here computes results."""

from checker.render.comparison import comparison_html, comparison_markdown, comparison_table
from checker.render.index import articles_table, search_table, to_json

__all__ = ["articles_table", "comparison_html", "comparison_markdown", "comparison_table", "search_table", "to_json"]
