from __future__ import annotations

from checker.articles import chunking
from checker.articles.loading import load_file
from tests.conftest import CORPUS


def test_chunks_point_into_the_cleaned_text_and_cover_it() -> None:
    for path in sorted(CORPUS.glob("*.md")):
        article = load_file(path, 10_000_000).articles[0]
        chunks = chunking.split(article, chunk_size=400, chunk_overlap=60)
        assert len(chunks) >= 2
        for chunk in chunks:
            assert article.text[chunk.start : chunk.end] == chunk.text
            assert len(chunk.text) <= 400
        covered = set()
        for chunk in chunks:
            covered.update(range(chunk.start, chunk.end))
        gaps = [i for i in range(len(article.text)) if i not in covered and not article.text[i].isspace()]
        assert gaps == [], path


def test_chunk_ids_are_stable_and_carry_the_version() -> None:
    article = load_file(CORPUS / "2022-03-29-yahoo-pentagon-casts-doubt.md", 10_000_000).articles[0]
    first = [c.id for c in chunking.split(article)]
    assert first == [c.id for c in chunking.split(article)]
    assert all(i.startswith(f"{article.id}:{article.version[:8]}:") for i in first)
    assert len(set(first)) == len(first)
