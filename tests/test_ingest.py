"""Ingesting into a real embedded Chroma (with a fake embedder): idempotent, replacing, consistent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.pipelines.ingest import ingest
from checker.pipelines.search import search
from tests.conftest import CORPUS

pytestmark = pytest.mark.usefixtures("fake_embeddings")


def _copy_corpus(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def _chunk_ids_by_article(store) -> dict[str, list[str]]:
    return {a.id: sorted(store.chunk_ids(a.id)) for a in store.articles()}


def test_first_ingest_adds_every_article(store, settings, tmp_path: Path) -> None:
    report = ingest([_copy_corpus(tmp_path)], store, settings)
    assert report.count("added") == 5 and report.warnings == []
    listed = store.articles()
    assert [a.outlet for a in listed] == ["RT", "The Independent", "Axios (repost)", "Yahoo News", "eSocialNews"]
    assert sum(a.chunks for a in listed) == store.count_chunks()


def test_reingesting_unchanged_files_changes_nothing(store, settings, tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    ingest([corpus], store, settings)
    before = _chunk_ids_by_article(store)
    report = ingest([corpus, corpus / "2022-01-25-rt-us-backtracks.md"], store, settings)
    assert report.count("unchanged") == 5 and report.count("added") == 0
    assert _chunk_ids_by_article(store) == before


def test_a_changed_file_replaces_its_chunks(store, settings, tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    ingest([corpus], store, settings)
    path = corpus / "2022-04-06-esocialnews-fully-withdrawn.md"
    old_ids = set(store.chunk_ids("esocialnews-2022-04-06-fully-withdrawn"))
    path.write_text(path.read_text().replace("fully withdrawn from the Ukrainian capital", "partly withdrawn from the Ukrainian capital"))
    report = ingest([path], store, settings)
    assert [o.status for o in report.outcomes] == ["updated"]
    new_ids = set(store.chunk_ids("esocialnews-2022-04-06-fully-withdrawn"))
    assert new_ids.isdisjoint(old_ids)
    assert len(store.articles()) == 5
    text = store.get_article("esocialnews-2022-04-06-fully-withdrawn").article.text
    assert "partly withdrawn" in text and "fully withdrawn from the Ukrainian capital" not in text


def test_metadata_change_alone_reindexes(store, settings, tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    ingest([corpus], store, settings)
    path = corpus / "2022-01-25-rt-us-backtracks.md"
    path.write_text(path.read_text().replace("outlet: RT", "outlet: RT News"))
    assert [o.status for o in ingest([path], store, settings).outcomes] == ["updated"]
    hits = search(store, "8,500 troops on higher alert", k=1)
    assert hits[0].outlet == "RT News"


def test_the_same_text_twice_is_not_indexed_twice(store, settings, tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    ingest([corpus], store, settings)
    copy = tmp_path / "copy.md"
    source = (corpus / "2022-01-25-rt-us-backtracks.md").read_text()
    copy.write_text(source.replace("id: rt-2022-01-25-us-backtracks", "id: another-id"))
    report = ingest([copy], store, settings)
    assert report.outcomes[0].status == "skipped" and "same text as the indexed article rt-2022-01-25" in report.outcomes[0].message
    assert len(store.articles()) == 5


def test_bad_input_leaves_the_index_as_it_was(store, settings, tmp_path: Path) -> None:
    ingest([_copy_corpus(tmp_path)], store, settings)
    before = _chunk_ids_by_article(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (bad / "broken.jsonl").write_text("{oops\n")
    report = ingest([bad, tmp_path / "missing.md"], store, settings)
    assert report.stored == 0
    assert {o.status for o in report.outcomes} == {"skipped"}
    assert len(report.outcomes) == 3 and any("missing.md" in w for w in report.warnings)
    assert _chunk_ids_by_article(store) == before


def test_stray_chunks_of_an_old_version_are_repaired(store, settings, tmp_path: Path) -> None:
    """The state a crash between the record write and the stale-chunk delete leaves behind."""
    corpus = _copy_corpus(tmp_path)
    ingest([corpus], store, settings)
    record = store.get_article("rt-2022-01-25-us-backtracks")
    import numpy as np

    from checker.schemas import Chunk

    stray = Chunk(id="rt-2022-01-25-us-backtracks:deadbeef:0000", article_id=record.article.id, index=0, start=0, end=5, text="stray")
    store._chunks.upsert(
        ids=[stray.id],
        embeddings=[np.ones(384).tolist()],
        documents=["stray"],
        metadatas=[
            {"article_id": stray.article_id, "outlet": "RT", "title": "", "published": "", "version": "deadbeef", "index": 0, "start": 0, "end": 5}
        ],
    )
    assert all(hit.text != "stray" for hit in search(store, "stray", k=50))  # never visible
    report = ingest([corpus / "2022-01-25-rt-us-backtracks.md"], store, settings)
    assert [o.status for o in report.outcomes] == ["repaired"]
    assert stray.id not in store.chunk_ids(record.article.id)


def test_search_filters_by_outlet(store, settings, tmp_path: Path) -> None:
    ingest([_copy_corpus(tmp_path)], store, settings)
    hits = search(store, "Russian forces withdrawn from Kyiv", k=3, outlet="Yahoo News")
    assert hits and {h.outlet for h in hits} == {"Yahoo News"}
    for hit in hits:
        text = store.get_article(hit.article_id).article.text
        assert text[hit.start : hit.end] == hit.text


def test_the_same_text_twice_in_one_batch_is_indexed_once(store, settings, tmp_path: Path) -> None:
    body = "Russian forces have fully withdrawn from the Ukrainian capital, the Pentagon said on Wednesday."
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"copy-{i}", "text": body}) + "\n" for i in range(3)))
    report = ingest([feed], store, settings)
    assert sorted(o.status for o in report.outcomes) == ["added", "skipped", "skipped"]
    assert len(store.articles()) == 1
