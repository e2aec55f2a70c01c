"""Loading articles from files: text, Markdown, HTML and JSON, with their metadata.

Metadata comes, in order of precedence, from YAML front matter (text and Markdown) or the
JSON object's fields, then from what the page itself shows (HTML metadata, a plain-text
capture's header). See docs/CORPUS.md for the fields.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from checker.articles import cleaning
from checker.articles.markup import as_read
from checker.articles.reading import read_text
from checker.errors import InputError
from checker.schemas import Article, text_sha256

# Field names accepted in front matter and JSON records, first match wins.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id"),
    "outlet": ("outlet", "source", "site", "sitename", "publisher"),
    "title": ("title", "headline"),
    "published": ("published", "date", "published_at", "publish_date", "pubdate"),
    "author": ("author", "authors", "byline"),
    "url": ("url", "link"),
    "text": ("text", "body", "content", "article", "articleBody"),
}
_ID_SAFE = re.compile(r"[^a-z0-9]+")
MIN_ARTICLE_CHARS = 40  # HTML pages: less text than this is an index or login page
# An HTML page's date comes from its structured metadata (and its URL) only: htmldate's
# extensive search reads "© 2022" in a footer as 1 January 2022, a made-up date that would
# decide `superseded` (files and web pages alike: checker/web/pages.py).
HTML_DATES = {"extensive_search": False, "original_date": True}
_REAL_SENTENCE = re.compile(r"[^\W\d_]{2,}\W+[^\W\d_]+\W+[^\W\d_]+")  # three words


@dataclass
class Loaded:
    """The articles read from one file, with warnings about parts that were skipped."""

    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# checker's own outputs carry one of these (Markdown and HTML), or a "checker." schema_version
# (JSON), so a report written into a corpus folder is never read back as an article.
OUTPUT_MARKS = ("<!-- written by checker: an output, not an article -->", '<meta name="generator" content="checker">')
_OUTPUT_JSON = re.compile(r'^\s*\{\s*"schema_version"\s*:\s*"checker\.')


def is_checker_output(raw: str) -> bool:
    head = raw[:4000]
    return any(mark in head for mark in OUTPUT_MARKS) or bool(_OUTPUT_JSON.match(head))


def load_file(path: Path, max_bytes: int) -> Loaded:
    """Read one file into articles; raises InputError when nothing in it is usable."""
    raw, repair = read_text(path, max_bytes)
    if is_checker_output(raw):
        raise InputError(
            f"{path}: written by checker (a report or comparison), not an article; skipped",
            "Write outputs outside the corpus folder to keep this message away",
        )
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl"):
        loaded = _load_json(path, raw)
    elif suffix in (".html", ".htm"):
        loaded = Loaded([_from_html(path, raw)])
    else:
        loaded = Loaded([_from_text(path, raw, markdown=suffix in (".md", ".markdown"))])
    if repair:
        loaded.warnings.append(f"{path}: {repair}; check its quotes")
    return loaded


def _from_text(path: Path, raw: str, markdown: bool) -> Article:
    meta: dict[str, Any] = {}
    body = raw
    if raw.lstrip("\ufeff").startswith("---"):
        try:
            # Values stay text (no YAML timestamps): a bad date is then reported for its file
            # and field by _as_date, instead of the YAML library's bare "month must be in 1..12".
            post = frontmatter.loads(raw.lstrip("\ufeff"), handler=_TEXT_DATES)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark else ""
            raise InputError(f"{path}: front matter is not valid YAML{where}", "Fix the block between the '---' lines") from None
        meta, body = dict(post.metadata), post.content
    body = as_read(body)
    if markdown:
        body = _strip_markdown(body)
    return _build(path, str(path), meta, body)


def _from_html(path: Path, raw: str) -> Article:
    import trafilatura  # slow to import; only HTML needs it

    # A Document when with_metadata is set (typed as a union with the dict form).
    doc: Any = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, include_tables=False, date_extraction_params=HTML_DATES)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(text.strip()) < MIN_ARTICLE_CHARS:
        raise InputError(f"{path}: no article text found in this HTML page", "Save the article page itself, not an index or a login page")
    meta = {
        "title": doc.title,
        "author": doc.author,
        "published": doc.date,
        "outlet": doc.sitename or doc.hostname,
        "url": doc.url,
    }
    return _build(path, str(path), {k: v for k, v in meta.items() if v}, text)


def _load_json(path: Path, raw: str) -> Loaded:
    loaded = Loaded()
    for number, record, problem in _json_records(path, raw):
        where = f"{path}#{number}"
        if problem:
            loaded.warnings.append(f"{where}: {problem}; skipped")
            continue
        try:
            text = _pick(record, "text")
            if not isinstance(text, str) or not text.strip():
                raise InputError(f"{where}: no article text", f"Give the text in one of the fields {', '.join(_ALIASES['text'])}")
            loaded.articles.append(_build(path, where, record, as_read(text)))
        except InputError as exc:
            loaded.warnings.append(f"{exc.one_line()} Skipped.")
    if not loaded.articles:
        first = loaded.warnings[0] if loaded.warnings else f"{path}: no records"
        raise InputError(
            f"{path}: no usable article records ({len(loaded.warnings)} skipped; first: {first})",
            "Give one JSON object per article with a 'text' field",
        )
    return loaded


def _json_records(path: Path, raw: str) -> Iterator[tuple[int, dict[str, Any], str | None]]:
    """(record number, object, problem) for a .json file (object or list) or a .jsonl file."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})", "Fix the file, or use .jsonl for one object per line"
            ) from None
        items = data if isinstance(data, list) else [data]
        for number, item in enumerate(items, 1):
            yield number, item if isinstance(item, dict) else {}, None if isinstance(item, dict) else "not a JSON object"
        return
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, {}, f"malformed JSON ({exc.msg})"
            continue
        yield number, item if isinstance(item, dict) else {}, None if isinstance(item, dict) else "not a JSON object"


def _pick(record: dict[str, Any], name: str) -> Any:
    for key in _ALIASES[name]:
        if record.get(key) not in (None, ""):
            return record[key]
    return None


def _build(path: Path, source: str, meta: dict[str, Any], body: str) -> Article:
    return build_article(source, meta, body, path)


def build_article(source: str, meta: dict[str, Any], body: str, path: Path | None = None) -> Article:
    """An article from its body and metadata (title, outlet, published, author, url, id):
    cleaned, dated (never in the future), and given an id that survives moving it. ``path``:
    the file it was read from; None for a web page (its id then comes from its URL)."""
    cleaned = cleaning.clean(body)
    # A one-sentence claim file ("Russia has captured Kyiv.") is a normal input for a
    # fact-checker: any real sentence is enough, however short.
    if not _REAL_SENTENCE.search(cleaned.text):
        raise InputError(f"{source}: no article text left after removing boilerplate", "Check that the file holds an article body")
    title = _as_text(_pick(meta, "title")) or cleaned.title
    url = _as_text(_pick(meta, "url"))
    published = _not_future(_as_date(_pick(meta, "published"), source), source, "published") or _not_future(
        cleaned.published, source, "the date the page shows"
    )
    explicit_id = _as_text(_pick(meta, "id"))
    # An id that survives moving the file: explicit, else the URL, else the absolute path.
    key = explicit_id or url or (f"{path.resolve()}{source[len(str(path)) :]}" if path else source)
    stem = path.stem if path else "page"
    return Article(
        id=_explicit(explicit_id) if explicit_id else f"{_slug(title or stem)[:48].strip('-')}-{_short_hash(key)}",
        outlet=_as_text(_pick(meta, "outlet")) or cleaned.site or "unknown",
        title=title,
        published=published,
        author=_as_text(_pick(meta, "author")) or cleaned.author,
        url=url,
        source=source,
        file=str(path.resolve()) if path else None,
        text=cleaned.text,
        sha256=text_sha256(cleaned.text),
    )


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v) or None
    text = str(value).strip()
    return text or None


def _as_date(value: Any, source: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = cleaning.parse_date(str(value))
    if parsed is None:
        raise InputError(
            f"{source}: the field 'published' ({str(value)!r}) is not a calendar date with year, month and day",
            "Write it as YYYY-MM-DD (relative dates such as 'next Tuesday' are not accepted); the file is skipped",
        )
    return parsed


def _not_future(date: dt.date | None, source: str, field: str) -> dt.date | None:
    """A publication date after tomorrow (anywhere on Earth it is at most tomorrow) is a typo
    or a trick: every other report would look older and be marked superseded by it."""
    if date is not None and date > dt.date.today() + dt.timedelta(days=1):
        raise InputError(
            f"{source}: the field '{field}' ({date.isoformat()}) is in the future",
            "Correct the publication date (YYYY-MM-DD); the file is skipped",
        )
    return date


class _TextDateLoader(yaml.SafeLoader):
    """YAML's safe loader without its timestamp type: dates arrive as the text written."""


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _TextDatesHandler(frontmatter.YAMLHandler):
    def load(self, fm: str, **kwargs: Any) -> Any:
        return yaml.load(fm, Loader=_TextDateLoader)  # noqa: S506 - a SafeLoader subclass


_TEXT_DATES = _TextDatesHandler()


def _explicit(given: str) -> str:
    """An explicit id kept as given when it is already safe; otherwise its slug plus a short
    hash of the original, so "Report/1" and "report-1" stay two articles."""
    slug = _slug(given)
    return slug if slug == given else f"{slug}-{_short_hash(given)}"


def _slug(text: str) -> str:
    return _ID_SAFE.sub("-", text.lower()).strip("-") or "article"


def _short_hash(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


_MD_RULES = [
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.M), ""),  # heading markers
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)"), r"\1"),  # italics
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
]


def _strip_markdown(text: str) -> str:
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text
