import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IDLE_SENTENCE, ROOT, FakeEmbedder

QA = [sys.executable, "-m", "qa.cli"]


def run(args, project: Path, **env):
    e = {**os.environ, "QA_ROOT": str(project), "QA_CACHE_DIR": str(ROOT / ".cache"), **env}
    return subprocess.run([*QA, *args], capture_output=True, text=True, env=e, timeout=600, cwd=project)


def test_help_lists_commands(project):
    out = run(["--help"], project)
    assert out.returncode == 0
    for cmd in ("index", "ask", "serve", "eval", "bench"):
        assert cmd in out.stdout


@pytest.mark.parametrize(("question", "needle"), [("", "empty"), ("   ", "empty"), ("q" * 2001, "2001 characters")])
def test_bad_question_exits_nonzero_with_one_line(project, question, needle):
    out = run(["ask", question], project)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("error: question") and needle in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_missing_index_says_what_to_do(project):
    out = run(["ask", "How many anchor projects are idle?", "--llm", "extractive", "-q"], project)
    assert out.returncode == 1
    assert "run `qa index`" in out.stderr


def test_index_reports_missing_path(project):
    out = run(["index", str(project / "nowhere"), "-q"], project)
    assert out.returncode == 1 and "nowhere" in out.stderr


@pytest.mark.slow
def test_real_models_answer_and_refuse(project):
    """Real MiniLM + real Chroma + the embedded Qwen model, through the console entry point."""
    out = run(["index", "-q"], project)
    assert out.returncode == 0, out.stderr
    assert "1 documents" in out.stdout
    out = run(["ask", "How many anchor projects are idle?", "--json", "-q"], project)
    assert out.returncode == 0, out.stderr
    ans = json.loads(out.stdout)
    assert not ans["refused"]
    assert "3" in ans["answer"] or "three" in ans["answer"].lower()
    text = (project / "seeds" / "000_c28c5033849fa43c.txt").read_text(encoding="utf-8")
    lo = text.index(IDLE_SENTENCE)
    assert ans["citations"]
    for c in ans["citations"]:
        assert text[c["start"] : c["end"]] == c["quote"]
    assert any(lo <= c["start"] and c["end"] <= lo + len(IDLE_SENTENCE) for c in ans["citations"])
    assert "qwen" in ans["model"]

    out = run(["ask", "What is the GDP of Kazakhstan?", "--json", "-q"], project)
    ans = json.loads(out.stdout)
    assert ans["refused"] and ans["citations"] == []


# ---- qa index never destroys (issue #8) -------------------------------------------------------
@pytest.fixture
def cli(project: Path, monkeypatch):
    """``qa ...`` in this process, in the temp project, with the fake embedder: (exit code, out, err)."""
    from qa import cli as qa_cli

    monkeypatch.chdir(project)
    monkeypatch.setenv("QA_ROOT", str(project))
    monkeypatch.setattr("qa.pipeline.load_embedder", lambda *a, **k: FakeEmbedder())

    def call(*args: str) -> int:
        return qa_cli.main(list(args))

    return call


def _indexed(project: Path) -> tuple[dict[str, str], list[str]]:
    from qa.index import open_index
    from qa.settings import Settings

    docs, chunks = open_index(Settings(root=project), None).load()
    return {d.source: d.text for d in docs}, sorted(c.id for c in chunks)


def test_index_help_documents_the_rules(project):
    out = run(["index", "--help"], project)
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    for needle in ("--prune", "qa remove", "Documents indexed from other paths are kept", "FIFO", "exit status"):
        assert needle in text


def test_index_of_only_a_bad_file_exits_nonzero_and_changes_nothing(cli, project: Path, capsys):
    assert cli("index", "-q") == 0
    before = _indexed(project)
    (project / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me.".encode("latin-1"))
    out = run(["index", "latin1.txt", "-q"], project)  # the real console entry point
    assert out.returncode == 1
    assert "skipped: " in out.stderr and "latin1.txt: not UTF-8" in out.stderr
    assert out.stderr.count("latin1.txt: not UTF-8") == 1 and "DEBUG" not in out.stderr  # said once; -q is quiet
    assert "error: none of the 1 files" in out.stderr and "nothing was changed" in out.stderr
    assert _indexed(project) == before


def test_index_of_an_empty_folder_exits_nonzero_and_changes_nothing(cli, project: Path):
    assert cli("index", "-q") == 0
    before = _indexed(project)
    (project / "empty").mkdir()
    out = run(["index", "empty", "-q"], project)
    assert out.returncode == 1
    assert "no .txt or .md files under empty" in out.stderr and "named by its path" in out.stderr
    assert _indexed(project) == before


def test_partial_failure_indexes_the_good_files_and_exits_4(cli, project: Path, capsys):
    (project / "docs").mkdir()
    (project / "docs" / "good.txt").write_text("The lake is 12 km wide.", encoding="utf-8")
    (project / "docs" / "bad.txt").write_bytes(b"\xff\xfe bad")
    assert cli("index", "docs", "-q") == 4
    err = capsys.readouterr().err
    assert "skipped: docs/bad.txt: not UTF-8" in err
    assert set(_indexed(project)[0]) == {"docs/good.txt"}


def test_prune_and_remove_through_the_cli(cli, project: Path, capsys):
    (project / "more").mkdir()
    (project / "more" / "lake.txt").write_text("The lake is 12 km wide.", encoding="utf-8")
    (project / "more" / "hill.md").write_text("The hill is 300 m high.", encoding="utf-8")
    assert cli("index", "-q") == 0
    assert cli("index", "more", "-q") == 0
    seed = "seeds/000_c28c5033849fa43c.txt"
    assert set(_indexed(project)[0]) == {seed, "more/lake.txt", "more/hill.md"}  # seeds kept

    assert cli("remove", "more/lake.txt", "-q") == 0
    assert "removed: more/lake.txt" in capsys.readouterr().out
    assert set(_indexed(project)[0]) == {seed, "more/hill.md"}
    assert cli("remove", "more/nowhere.txt", "-q") == 1
    assert "more/nowhere.txt: no indexed document" in capsys.readouterr().err

    assert cli("index", "more", "--prune", "-q") == 0
    assert f"removed: {seed}" in capsys.readouterr().out
    assert set(_indexed(project)[0]) == {"more/lake.txt", "more/hill.md"}  # lake.txt is back: its file is there
