import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.chunking import signature
from qa.errors import DocumentError, IndexCorrupt, IndexMissing, NothingIndexed
from qa.generations import STALE_AFTER_S, Builder, builder_of, building, built, is_orphan, new_generation
from qa.index import ChunkIndex, open_index
from qa.pipeline import index_documents, remove_documents
from tests.conftest import ROOT, SEED, FakeEmbedder


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


# ---- indexing never destroys (issue #8) ------------------------------------------------------
def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _full_state(settings, embedder):
    """Every document's text and every chunk id: equal before and after means nothing changed."""
    index = open_index(settings, embedder)
    docs, chunks = index.load()
    return index.active(), {d.source: d.text for d in docs}, sorted(c.id for c in chunks)


def test_only_a_bad_file_changes_nothing(indexed, embedder, project: Path):
    bad = project / "latin1.txt"
    bad.write_bytes("Caf\xe9 au lait. Cr\xe8me br\xfbl\xe9e.".encode("latin-1"))
    before = _full_state(indexed, embedder)
    with pytest.raises(NothingIndexed, match="nothing was changed") as err:
        index_documents(indexed, [bad], embedder=embedder)
    assert any("latin1.txt" in p and "UTF-8" in p for p in err.value.problems)
    assert _full_state(indexed, embedder) == before


def test_every_file_failing_changes_nothing(indexed, embedder, project: Path):
    folder = project / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "binary.md").write_bytes(b"\x00\x01\x02")
    (folder / "latin1.txt").write_bytes("na\xefve".encode("latin-1"))
    before = _full_state(indexed, embedder)
    with pytest.raises(NothingIndexed, match="none of the 3 files") as err:
        index_documents(indexed, [folder], embedder=embedder, prune=True)
    assert len(err.value.problems) == 3 and any("empty" in p for p in err.value.problems)
    assert _full_state(indexed, embedder) == before


def test_empty_folder_changes_nothing(indexed, embedder, project: Path):
    empty = project / "empty"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF")  # not .txt/.md: not a candidate
    before = _full_state(indexed, embedder)
    with pytest.raises(NothingIndexed, match=r"no \.txt or \.md files under .*empty"):
        index_documents(indexed, [empty], embedder=embedder)
    assert _full_state(indexed, embedder) == before


def test_emptied_folder_given_with_another_keeps_its_documents(settings, embedder, project: Path):
    _write(project / "a", {"one.txt": "Apples are red."})
    _write(project / "b", {"two.txt": "Bananas are yellow."})
    index_documents(settings, [project / "a", project / "b"], embedder=embedder)
    (project / "a" / "one.txt").unlink()
    report, problems = index_documents(settings, [project / "a", project / "b"], embedder=embedder, prune=True)
    assert any("no .txt or .md files" in p for p in problems)
    assert report.removed_sources == ()
    assert set(_state(settings, embedder)[0]) == {"a/one.txt", "b/two.txt"}


@pytest.mark.timeout(30)
def test_fifo_is_skipped_and_never_opened(settings, embedder, project: Path):
    folder = project / "docs"
    _write(folder, {"good.txt": "The lake is 12 km wide."})
    os.mkfifo(folder / "x.txt")
    report, problems = index_documents(settings, [folder], embedder=embedder)
    assert report.changed_sources == ("docs/good.txt",)
    assert len(problems) == 1 and "x.txt" in problems[0] and "FIFO" in problems[0]
    with pytest.raises(NothingIndexed) as err:  # named directly: still never opened
        index_documents(settings, [folder / "x.txt"], embedder=embedder)
    assert "FIFO" in err.value.problems[0]
    assert set(_state(settings, embedder)[0]) == {"docs/good.txt"}


def test_symlink_to_a_file_is_indexed_under_its_own_name(settings, embedder, project: Path):
    _write(project / "elsewhere", {"real.txt": "Linked text is fine."})
    _write(project / "docs", {})
    (project / "docs" / "link.txt").symlink_to(project / "elsewhere" / "real.txt")
    report, problems = index_documents(settings, [project / "docs"], embedder=embedder)
    assert problems == [] and report.changed_sources == ("docs/link.txt",)
    (project / "linked").symlink_to(project / "elsewhere")  # a linked folder: named by its target
    index_documents(settings, [project / "linked"], embedder=embedder)
    assert set(_state(settings, embedder)[0]) == {"docs/link.txt", "elsewhere/real.txt"}
    _write(project / "elsewhere", {"new.txt": "New text."})
    (project / "elsewhere" / "real.txt").unlink()  # the link in docs/ now dangles: a problem, kept
    report, problems = index_documents(settings, [project / "linked", project / "docs"], embedder=embedder)
    assert report.removed_sources == ("elsewhere/real.txt",) and "docs/link.txt" in problems[0]
    assert set(_state(settings, embedder)[0]) == {"docs/link.txt", "elsewhere/new.txt"}


def test_second_folder_keeps_the_first(indexed, embedder, project: Path):
    _write(project / "more", {"lake.txt": "The lake is 12 km wide."})
    report, _ = index_documents(indexed, [project / "more"], embedder=embedder)
    assert report.removed == 0 and report.removed_sources == ()
    assert set(_state(indexed, embedder)[0]) == {"seeds/" + SEED.name, "more/lake.txt"}


def test_deleted_file_goes_only_when_its_folder_is_given_again(settings, embedder, project: Path):
    _write(project / "a", {"one.txt": "Apples are red.", "two.txt": "Avocados are green."})
    _write(project / "b", {"three.txt": "Bananas are yellow."})
    index_documents(settings, [project / "a", project / "b"], embedder=embedder)
    (project / "a" / "one.txt").unlink()
    (project / "b" / "three.txt").unlink()
    _write(project / "b", {"four.txt": "Blueberries are blue."})
    report, _ = index_documents(settings, [project / "b"], embedder=embedder)
    assert report.removed_sources == ("b/three.txt",)
    assert set(_state(settings, embedder)[0]) == {"a/one.txt", "a/two.txt", "b/four.txt"}
    report, _ = index_documents(settings, [project / "a" / "two.txt"], embedder=embedder)  # a file: no removal
    assert report.removed_sources == ()
    report, _ = index_documents(settings, [project / "a"], embedder=embedder)
    assert report.removed_sources == ("a/one.txt",)
    assert set(_state(settings, embedder)[0]) == {"a/two.txt", "b/four.txt"}


def test_prune_removes_what_was_not_found(indexed, embedder, project: Path):
    _write(project / "more", {"lake.txt": "The lake is 12 km wide."})
    index_documents(indexed, [project / "more"], embedder=embedder)
    report, _ = index_documents(indexed, [project / "more"], embedder=embedder, prune=True)
    assert report.removed_sources == ("seeds/" + SEED.name,)
    assert set(_state(indexed, embedder)[0]) == {"more/lake.txt"}


def test_remove_documents(indexed, embedder, project: Path):
    _write(project / "more", {"lake.txt": "The lake is 12 km wide.", "hill.md": "The hill is 300 m high."})
    index_documents(indexed, [project / "more"], embedder=embedder)
    _, ids = _state(indexed, embedder)
    with pytest.raises(DocumentError, match="nowhere.txt"):
        remove_documents(indexed, ["more/lake.txt", "nowhere.txt"])
    assert _state(indexed, embedder)[1] == ids  # nothing removed when one name matches nothing
    report = remove_documents(indexed, ["more/lake.txt"])
    assert report.removed_sources == ("more/lake.txt",) and report.removed == 1
    docs, ids_after = _state(indexed, embedder)
    assert set(docs) == {"seeds/" + SEED.name, "more/hill.md"}
    assert set(ids_after) < set(ids)  # the others kept their chunks
    assert remove_documents(indexed, [str(project / "more")]).removed_sources == ("more/hill.md",)
    hits = open_index(indexed, embedder).query("anchor projects idle", 2)
    assert hits  # the remaining index still answers


def test_setting_change_keeps_documents_from_other_paths(indexed, embedder, project: Path):
    _write(project / "more", {"lake.txt": "The lake is 12 km wide."})
    index_documents(indexed, [project / "more"], embedder=embedder)
    small = indexed.model_copy(update={"chunk_size": 150, "chunk_overlap": 0})
    report, _ = index_documents(small, [project / "more"], embedder=embedder)
    assert set(_state(small, embedder)[0]) == {"seeds/" + SEED.name, "more/lake.txt"}
    assert report.added > 6 and open_index(small, embedder).built_with(open_index(small, embedder).active()) == (
        "fake",
        signature(150, 0),
    )


# ---- orphaned generations ---------------------------------------------------------------------
_BUILD = """
import sys, time
from pathlib import Path
from qa.pipeline import index_documents
from qa.settings import Settings
from tests.conftest import FakeEmbedder

class Hanging(FakeEmbedder):
    def embed(self, texts):
        Path(sys.argv[2]).write_text("embedding")
        time.sleep(600)

index_documents(Settings(root=sys.argv[1], llm="extractive"), embedder=Hanging())
"""


def _kill_a_build(project: Path) -> None:
    """Start a build in another process and kill it (SIGKILL) while it embeds."""
    marker = project / "embedding"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _BUILD, str(project), str(marker)], env=env)
    try:
        deadline = time.time() + 120
        while not marker.exists() and proc.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the build never reached the embedder"
    finally:
        proc.kill()
        proc.wait()


def _collections(settings) -> set[str]:
    return {c.name for c in open_index(settings, None).client.list_collections()}


def _segment_dirs(settings) -> set[str]:
    return {p.name for p in settings.index_path.iterdir() if p.is_dir() and p.name != "lexical"}


def _live_segments(settings) -> set[str]:
    import sqlite3

    with contextlib.closing(sqlite3.connect(settings.index_path / "chroma.sqlite3")) as db:
        return {row[0] for row in db.execute("SELECT id FROM segments")}


@pytest.mark.timeout(300)
def test_killed_builds_are_collected_by_the_next_run(indexed, embedder, project: Path):
    before = _full_state(indexed, embedder)
    for i in range(2):
        (project / "seeds" / f"new{i}.txt").write_text(f"Fact number {i} is new. " * 30, encoding="utf-8")
        _kill_a_build(project)
        left = _collections(indexed)
        assert len(left) == 5, left  # pointer, live generation, the last killed one: each run collects the last
    assert _full_state(indexed, embedder) == before  # the live index is untouched
    (project / "seeds" / "new0.txt").unlink()
    (project / "seeds" / "new1.txt").unlink()
    report, _ = index_documents(indexed, embedder=embedder)
    assert not report.changed
    assert _collections(indexed) == {"qa_meta", f"{before[0]}_chunks", f"{before[0]}_docs"}
    assert _segment_dirs(indexed) <= _live_segments(indexed)  # no folder of a deleted collection left on disk
    assert {p.name for p in (indexed.index_path / "lexical").iterdir()} == {before[0]}  # nor its lexical engine
    assert open_index(indexed, embedder).query("How many anchor projects are idle?", 2)


def test_generation_of_a_live_builder_is_kept(indexed, embedder, project: Path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        index = open_index(indexed, embedder)
        gen = "qa_20000101000000_abcdef"
        owner = {"owner": f"{socket.gethostname()}:{sleeper.pid}", "started": time.time()}
        index.client.create_collection(f"{gen}_chunks", embedding_function=None, metadata=owner)
        index.client.create_collection(f"{gen}_docs", embedding_function=None, metadata=owner)
        assert index.collect_orphans() == []
        assert f"{gen}_chunks" in _collections(indexed)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert index.collect_orphans() == [gen]
    assert not any(n.startswith(gen) for n in _collections(indexed))
    assert open_index(indexed, embedder).load()[0]  # the live generation is still there


def test_failed_build_in_this_process_is_collected(indexed, embedder, project: Path, monkeypatch):
    before = _full_state(indexed, embedder)
    (project / "seeds" / "new.txt").write_text("A new fact. " * 200, encoding="utf-8")
    broken = FakeEmbedder(fail_after=0)
    monkeypatch.setattr(ChunkIndex, "_drop", lambda self, gen: None)  # as if the process died mid-build
    with pytest.raises(RuntimeError):
        index_documents(indexed, embedder=broken)
    monkeypatch.undo()
    assert len(_collections(indexed)) == 5
    (project / "seeds" / "new.txt").unlink()
    index_documents(indexed, embedder=embedder)
    assert len(_collections(indexed)) == 3
    assert _full_state(indexed, embedder) == before


def test_orphan_rule():
    here, now = socket.gethostname(), time.time()
    gen = new_generation("qa", now=now - 60)
    old = new_generation("qa", now=now - STALE_AFTER_S - 60)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert is_orphan(gen, Builder(here, dead.pid, now - 60), run_started=now)
    assert not is_orphan(gen, Builder(here, os.getppid(), now - 60), run_started=now)  # alive elsewhere
    assert is_orphan(gen, Builder(here, os.getpid(), now - 60), run_started=now)  # this process, not building
    building(gen)
    try:
        assert not is_orphan(gen, Builder(here, os.getpid(), now - 60), run_started=now)
    finally:
        built(gen)
    assert not is_orphan(gen, Builder("other-host", 1, now - 60), run_started=now)
    assert is_orphan(old, Builder("other-host", 1, now - STALE_AFTER_S - 60), run_started=now)
    assert is_orphan(gen, None, run_started=now) and not is_orphan(gen, None, run_started=now - 120)
    assert builder_of({"owner": f"{here}:12", "started": 1.0}) == Builder(here, 12, 1.0)
    assert builder_of({"embedder": "fake"}) is None
