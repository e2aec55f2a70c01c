"""Markup inside text and Markdown articles, rendered away: the judges read what a reader reads."""

from __future__ import annotations

import re

# An HTML tag or comment inside text or Markdown: "<script>", "</p>", "<br/>", "<!-- ... -->".
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][\w:-]*(\s[^<>]*)?/?\s*>|<!--")
_UNREAD = ("script", "style", "template", "noscript", "iframe", "object", "embed", "head", "svg")
_BLOCKS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "tr", "table")


def as_read(body: str) -> str:
    """The text a reader reads: markup in a text or Markdown body (a pasted page, a
    ``<script>`` inside a sentence) is rendered away, scripts and styles with their contents,
    so the judges never read words a reader never sees."""
    if not _TAG.search(body):
        return body
    from lxml import etree
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(body, create_parent="div")
    for hidden in root.xpath("//comment() | //processing-instruction()") + [e for e in root.iter(*_UNREAD)]:
        if hidden.getparent() is not None:
            hidden.drop_tree()
    for element in root.iter(etree.Element):
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
    return str(root.text_content())
