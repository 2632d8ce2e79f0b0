"""``qa bench --scale``: corpus building and the report, with the fake embedder."""

from __future__ import annotations

import time

import pytest

from qa.scale import ROOT_DOCS, _paragraphs, build_corpus, measure, paragraph_pool
from qa.settings import Settings
from tests.conftest import FakeEmbedder


@pytest.fixture(scope="module")
def pool() -> list[str]:
    return paragraph_pool(10**9, (p.read_text(encoding="utf-8") for p in sorted(ROOT_DOCS.glob("*.txt"))))


def test_paragraphs_skip_short_and_non_prose_blocks():
    text = "Title\n\n" + "word " * 30 + "\n\n" + "== -- == " * 20 + "\n\nmore   spaced\ntext " * 10
    got = list(_paragraphs(text))
    assert got[0] == " ".join(["word"] * 30)
    assert all("==" not in p for p in got)


def test_corpus_has_exactly_the_chunks_asked_and_is_reused(tmp_path, pool):
    info = build_corpus(tmp_path / "c", 300, 500, 120, pool)
    assert info["chunks"] == 300 and info["documents"] >= 2
    assert len(list((tmp_path / "c" / "docs").glob("*.txt"))) == info["documents"]
    (tmp_path / "c" / "docs" / "doc000000.txt").write_text("changed")
    assert build_corpus(tmp_path / "c", 300, 500, 120, pool) == info  # reused, not rebuilt


def test_scale_report_at_ten_thousand_chunks(tmp_path, pool):
    """Issue 11: N = 10,000 with the fake embedder in under a minute; the retriever opens the saved
    lexical engine instead of loading the corpus (was: refresh 2.5 s, +200 MB, p50 48 ms)."""
    s = Settings(root=tmp_path, cache_dir=tmp_path / "cache", llm="extractive")
    t = time.perf_counter()
    out = measure(s, 10_000, embedder=FakeEmbedder(), pool=pool)
    assert time.perf_counter() - t < 60
    assert out["chunks"] == 10_000 and out["documents"] > 100
    assert out["index_chunks_per_s"] > 200
    assert 1 < out["index_mb"] < 200 and out["corpus_mb"] > 1
    assert 0 < out["open_s"] < 5 and 0 < out["refresh_s"] < 2
    assert 50 < out["rss_mb"] < 8000 and out["rss_retriever_mb"] < 120
    assert 0 < out["retrieval_p50_ms"] <= 50 and out["retrieval_p95_ms"] < 250 and out["first_query_ms"] < 5000


def test_scale_report_times_answers_and_start_to_ready(tmp_path, pool):
    """``qa bench --scale N --answers K``: the answerer is started on the scaled index and K
    answers are timed (extractive here: no model in unit tests)."""
    s = Settings(root=tmp_path, cache_dir=tmp_path / "cache", llm="extractive")
    out = measure(s, 300, embedder=FakeEmbedder(), pool=pool, answers=4)
    assert out["answers"] == 4 and 0 <= out["answers_refused"] <= 5
    assert 0 < out["ready_s"] < 30 and 0 < out["answer_p50_ms"] <= out["answer_p95_ms"] < 10_000
    assert out["answer_model"] == "extractive"


def test_index_loads_every_row_a_page_at_a_time(indexed, embedder, monkeypatch):
    from qa.index import open_index

    whole = open_index(indexed, embedder).load()
    monkeypatch.setattr("qa.index.PAGE", 2)  # 6 chunks: pages of 2, 2, 2 and an empty one
    paged = open_index(indexed, embedder).load()
    assert len(paged[1]) == len(whole[1]) == 6 and paged == whole


def test_unchanged_documents_are_copied_a_page_of_sources_at_a_time(indexed, embedder, monkeypatch):
    from qa.index import open_index
    from qa.pipeline import index_documents

    for i in range(5):
        (indexed.root / "seeds" / f"n{i}.txt").write_text(f"Note {i} says the harbour opened. " * 3, encoding="utf-8")
    index_documents(indexed, embedder=embedder)
    monkeypatch.setattr("qa.index_write.SOURCES_PAGE", 2)  # 5 sources kept: 3 `$in` filters
    (indexed.root / "seeds" / "n0.txt").write_text("Note zero is new.", encoding="utf-8")
    report, _ = index_documents(indexed, embedder=embedder)
    assert report.added == 1 and report.unchanged == 4 + 6  # 4 short notes, the seed's 6 chunks
    assert len(open_index(indexed, embedder).load()[1]) == 11


def test_without_a_local_folder_the_engine_is_built_in_memory(indexed, embedder):
    from qa.index import open_index

    index = open_index(indexed, embedder)
    index.lexical_root = None  # as with a Chroma server: nowhere to save it
    lex = index.lexical()
    assert lex.n_chunks == 6 and index.lexical() is lex  # built once per generation
    assert index._cache is None  # the texts it was built from are not kept


def test_the_indexer_loads_its_embedder_with_one_thread_per_core(tmp_path, monkeypatch):
    import os

    from qa.pipeline import index_documents

    seen = []

    def load(name, cache, backend="onnx", threads=1):
        seen.append(threads)
        return FakeEmbedder()

    monkeypatch.setattr("qa.pipeline.load_embedder", load)
    (tmp_path / "a.txt").write_text("Five shops are open. Two are closed.")
    index_documents(Settings(root=tmp_path, cache_dir=tmp_path / "c"), [tmp_path])
    index_documents(Settings(root=tmp_path, cache_dir=tmp_path / "c", index_threads=1), [tmp_path])
    assert seen == [os.cpu_count(), 1]
