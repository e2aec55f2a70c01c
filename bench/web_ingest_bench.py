"""Ingest from the web against ingest from files: a few hundred news pages served on
127.0.0.1 (tests/news_site.py), the time split into fetch, clean, embed and store, beside the
same pages read from .html files.

    .venv/bin/python bench/web_ingest_bench.py [--pages 300]

The pages are the sample corpus's five articles, each in many variants (a numbered sentence
added, so every page is its own article), inside the fixture site's real-looking HTML. The
politeness delay is 0 (our own loopback server; the default of 1 s between requests to one
host would make the fetch phase the delay itself), with 8 pages in flight. Then the whole
pipeline, end to end, both ways, into fresh stores: `Workspace.ingest` on the URLs and on
the folder of files.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.articles import chunking  # noqa: E402
from checker.articles.loading import load_file  # noqa: E402
from checker.config import Settings  # noqa: E402
from checker.pipelines.workspace import Workspace  # noqa: E402
from checker.storage import embeddings  # noqa: E402
from checker.storage.store import open_store  # noqa: E402
from checker.web.client import PoliteClient, Politeness  # noqa: E402
from checker.web.pages import Outlets, article_of  # noqa: E402
from tests.news_site import Story, corpus_stories, page_html, serving  # noqa: E402


def variants(count: int) -> list[Story]:
    base = corpus_stories()
    return [
        Story(f"{s.slug}-v{i}", s.outlet, f"{s.title} ({i})", s.published, [*s.paragraphs, f"Update {i}: the story was checked again today."])
        for i in range(count // len(base) + 1)
        for s in base
    ][:count]


def phases(urls: list[str], files: list[Path], settings: Settings, workdir: Path) -> dict[str, float]:
    timings: dict[str, float] = {}
    with PoliteClient(Politeness(delay=0, per_host=8)) as client, ThreadPoolExecutor(max_workers=8) as pool:
        started = time.perf_counter()
        fetched = list(pool.map(client.fetch, urls))
        timings["web: fetch"] = time.perf_counter() - started
    started = time.perf_counter()
    pages = [article_of(f, Outlets()).article for f in fetched]
    timings["web: clean"] = time.perf_counter() - started
    started = time.perf_counter()
    read = [a for path in files for a in load_file(path, 10_000_000).articles]
    timings["files: read and clean"] = time.perf_counter() - started
    for side, articles in (("web", pages), ("files", read)):
        chunks = [chunking.split(a, settings.chunk_size, settings.chunk_overlap) for a in articles]
        started = time.perf_counter()
        vectors = embeddings.embed([c.text for found in chunks for c in found], batch_size=settings.embedding_batch)
        timings[f"{side}: embed"] = time.perf_counter() - started
        store = open_store(workdir / f"store-{side}", None, "bench")
        items, offset = [], 0
        for article, found in zip(articles, chunks):
            items.append((article, found, vectors[offset : offset + len(found)]))
            offset += len(found)
        started = time.perf_counter()
        store.write_articles(items)
        timings[f"{side}: store"] = time.perf_counter() - started
    return timings


def end_to_end(urls: list[str], folder: Path, workdir: Path) -> dict[str, float]:
    os.environ["CHECKER_FETCH_DELAY"] = "0"
    os.environ["CHECKER_FETCH_PER_HOST"] = "8"
    out = {}
    for side, inputs in (("web", urls), ("files", [str(folder)])):
        space = Workspace(Settings(store=workdir / f"whole-{side}"))
        started = time.perf_counter()
        report = space.ingest(inputs)
        out[f"{side}: whole ingest"] = time.perf_counter() - started
        assert report.count("added") == len(urls), (side, report.count("added"), report.outcomes[:3])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    stories = variants(args.pages)
    embeddings.embed(["warm up the model"])  # its loading is not ingest's cost
    with tempfile.TemporaryDirectory() as tmp, serving(stories) as site:
        workdir = Path(tmp)
        folder = workdir / "pages"
        folder.mkdir()
        urls, files = [], []
        for story in stories:
            urls.append(f"{site.base}/{story.site}/{story.slug}.html")
            path = folder / f"{story.slug}.html"
            path.write_text(page_html(story, site.base), encoding="utf-8")
            files.append(path)
        timings = phases(urls, files, Settings(store=workdir / "unused"), workdir)
        timings |= end_to_end(urls, folder, workdir)
    print(f"{args.pages} pages, one run (2 cores; loopback server in this process)")
    for name, seconds in timings.items():
        print(f"  {name:24} {seconds:7.2f} s")
    web = timings["web: whole ingest"]
    files_ = timings["files: whole ingest"]
    print(f"  whole ingest, web / files: {web / files_:.2f}")


if __name__ == "__main__":
    main()
