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
    s = Settings(root=tmp_path, cache_dir=tmp_path / "cache", llm="extractive")
    t = time.perf_counter()
    out = measure(s, 10_000, embedder=FakeEmbedder(), pool=pool)
    assert time.perf_counter() - t < 120
    assert out["chunks"] == 10_000 and out["documents"] > 100
    assert out["index_chunks_per_s"] > 50
    assert 1 < out["index_mb"] < 1000 and out["corpus_mb"] > 1
    assert 0 < out["open_s"] < 30 and 0 < out["refresh_s"] < 60
    assert 50 < out["rss_mb"] < 8000
    assert 0 < out["retrieval_p50_ms"] <= out["retrieval_p95_ms"] < 10_000


def test_index_loads_every_row_a_page_at_a_time(indexed, embedder, monkeypatch):
    from qa.index import open_index

    whole = open_index(indexed, embedder).load()
    monkeypatch.setattr("qa.index.PAGE", 2)  # 6 chunks: pages of 2, 2, 2 and an empty one
    paged = open_index(indexed, embedder).load()
    assert len(paged[1]) == len(whole[1]) == 6 and paged == whole
