import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IDLE_SENTENCE, ROOT

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
