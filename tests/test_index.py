import shutil
from pathlib import Path

import pytest

from qa.errors import IndexCorrupt, IndexMissing
from qa.index import open_index
from qa.pipeline import index_documents
from tests.conftest import SEED, FakeEmbedder


def _state(settings, embedder):
    docs, chunks = open_index(settings, embedder).load()
    return {d.source: d.text for d in docs}, sorted(c.id for c in chunks)


def test_reindex_unchanged_adds_nothing(settings, embedder):
    first, _ = index_documents(settings, embedder=embedder)
    assert first.added > 0 and first.documents == 1
    before = _state(settings, embedder)
    calls = embedder.calls
    again, _ = index_documents(settings, embedder=embedder)
    assert (again.added, again.removed, again.unchanged) == (0, 0, first.added)
    assert embedder.calls == calls  # nothing re-embedded
    assert _state(settings, embedder) == before


def test_changed_file_replaces_and_removed_file_goes(settings, embedder, project: Path):
    other = project / "seeds" / "other.md"
    other.write_text("# Notes\n\nThe river is 40 km long. It freezes in winter.\n", encoding="utf-8")
    index_documents(settings, embedder=embedder)
    docs, ids = _state(settings, embedder)
    assert set(docs) == {"seeds/other.md", "seeds/" + SEED.name}

    other.write_text("# Notes\n\nThe river is 55 km long.\n", encoding="utf-8")
    report, _ = index_documents(settings, embedder=embedder)
    assert report.changed_sources == ("seeds/other.md",)
    docs, ids2 = _state(settings, embedder)
    assert "55 km" in docs["seeds/other.md"]
    _, chunks = open_index(settings, embedder).load()
    assert not any("40 km" in c.text for c in chunks)  # old chunks replaced
    assert sum(c.source == "seeds/" + SEED.name for c in chunks) == report.unchanged

    other.unlink()
    report, _ = index_documents(settings, embedder=embedder)
    assert report.removed_sources == ("seeds/other.md",)
    docs, _ = _state(settings, embedder)
    assert set(docs) == {"seeds/" + SEED.name}


def test_unreadable_file_keeps_its_old_chunks(settings, embedder, project: Path):
    other = project / "seeds" / "other.txt"
    other.write_text("Alpha beta. Gamma delta.", encoding="utf-8")
    index_documents(settings, embedder=embedder)
    other.write_bytes(b"\xff\xfe\x00bad")
    report, problems = index_documents(settings, embedder=embedder)
    assert problems and "other.txt" in problems[0]
    docs, _ = _state(settings, embedder)
    assert docs["seeds/other.txt"] == "Alpha beta. Gamma delta."


def test_failed_build_leaves_old_index_in_use(settings, embedder, project: Path):
    index_documents(settings, embedder=embedder)
    before = _state(settings, embedder)
    (project / "seeds" / "new.txt").write_text("A new fact. " * 200, encoding="utf-8")
    broken = FakeEmbedder(fail_after=0)
    broken.name = embedder.name
    with pytest.raises(RuntimeError):
        index_documents(settings, embedder=broken)
    assert _state(settings, embedder) == before
    index = open_index(settings, embedder)
    names = {c.name for c in index.client.list_collections()}
    assert len(names) == 3  # pointer + one generation (chunks, docs): the failed one was dropped


def test_missing_index_says_run_qa_index(settings, embedder):
    with pytest.raises(IndexMissing, match="qa index"):
        open_index(settings, embedder).load()


def test_corrupt_index_is_a_clear_error(settings, embedder):
    index_documents(settings, embedder=embedder)
    db = settings.index_path / "chroma.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    shutil.rmtree(
        settings.index_path / next(p.name for p in settings.index_path.iterdir() if p.is_dir()), ignore_errors=True
    )
    with pytest.raises((IndexCorrupt, IndexMissing), match="index"):
        open_index(settings, embedder).load()


def test_other_embedder_is_refused_at_query_time(settings, embedder):
    index_documents(settings, embedder=embedder)
    other = FakeEmbedder()
    other.name = "another"
    with pytest.raises(IndexCorrupt, match="qa index"):
        open_index(settings, other).query("anything", 3)


def test_chunk_setting_change_rechunks(settings, embedder):
    index_documents(settings, embedder=embedder)
    small = settings.model_copy(update={"chunk_size": 150, "chunk_overlap": 0})
    report, _ = index_documents(small, embedder=embedder)
    assert report.added > 6


def test_rebuild_recovers_a_damaged_index(settings, embedder):
    index_documents(settings, embedder=embedder)
    (settings.index_path / "chroma.sqlite3").write_bytes(b"garbage" * 50)
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        index_documents(settings, embedder=embedder)
    report, _ = index_documents(settings, embedder=embedder, rebuild=True)
    assert report.added > 0 and report.documents == 1
    assert open_index(settings, embedder).load()[0][0].source == "seeds/" + SEED.name


def test_running_answerer_sees_a_reindex(indexed, embedder, project: Path):
    from qa.pipeline import build_answerer

    settings = indexed
    answerer = build_answerer(settings, embedder=embedder, backend=None)
    assert answerer.answer("How long is the river Ural?").refused
    (project / "seeds" / "river.txt").write_text("The river Ural is 2428 km long.", encoding="utf-8")
    index_documents(settings, embedder=embedder)
    ans = answerer.answer("How long is the river Ural?")
    assert not ans.refused and ans.citations[0].source == "seeds/river.txt"
