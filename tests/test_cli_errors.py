"""What a new user gets wrong on the command line gets one message that names the bad value and
says what to do, with exit status 2 for usage errors, and never a traceback."""

from pathlib import Path

import pytest

from qa import cli
from qa.errors import ModelError
from qa.settings import Settings
from tests.conftest import FakeEmbedder


@pytest.fixture(autouse=True)
def nothing_heavy(tmp_path, monkeypatch):
    """A command that got past its checks fails the test at once instead of loading models."""
    monkeypatch.setenv("QA_ROOT", str(tmp_path))
    monkeypatch.setenv("QA_LLM", "extractive")
    for target in ("qa.evalrun.run_cli", "qa.api.serve", "qa.scale.run_scale", "qa.bench.run_bench"):
        monkeypatch.setattr(target, lambda *a, **k: pytest.fail("the command ran"))


def fails(capsys, *argv: str) -> str:
    """Run ``qa argv`` expecting argparse's exit 2; its stderr."""
    with pytest.raises(SystemExit) as exc:
        cli.main(list(argv))
    assert exc.value.code == 2
    return capsys.readouterr().err


def test_no_command_names_the_commands(capsys):
    err = fails(capsys)
    assert "choose a COMMAND: index, remove, ask, serve, eval, bench" in err


def test_an_unknown_flag_is_reported_by_its_command(capsys):
    err = fails(capsys, "ask", "--bogus", "How many?")
    assert "usage: qa ask" in err and "unrecognized arguments: --bogus" in err and "qa ask --help" in err
    assert "usage: qa index" in fails(capsys, "index", "seeds", "--prunee")


def test_a_question_not_in_quotes_says_to_quote_it(capsys):
    err = fails(capsys, "ask", "how", "many", "projects", "-q")
    assert 'put it in quotes, e.g. qa ask "how many projects"' in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("serve", "--port", "99999"), "--port: must be a port from 1 to 65535, got '99999'"),
        (("serve", "--port", "http"), "--port: must be a whole number of at least 1, got 'http'"),
        (("eval", "--repeat", "0"), "--repeat: must be a whole number of at least 1, got '0'"),
        (("eval", "--limit", "-3"), "--limit: must be a whole number of at least 1, got '-3'"),
        (("bench", "--scale", "-5"), "--scale: must be a whole number of at least 1, got '-5'"),
        (("bench", "--questions", "ten"), "--questions: must be a whole number of at least 1, got 'ten'"),
    ],
)
def test_numbers_out_of_range_are_named(capsys, argv, needle):
    assert needle in fails(capsys, *argv)


def test_an_unknown_eval_kind_fails_before_any_model_loads(capsys, monkeypatch):
    assert cli.main(["eval", "--kind", "fact", "--kind", "nokind"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --kind nokind: no such kind") and "choose from" in err and "fact" in err


def test_a_bad_environment_variable_is_one_line_naming_it(capsys, monkeypatch):
    monkeypatch.setenv("QA_TOP_K", "0")
    monkeypatch.setenv("QA_CHUNK_SIZE", "big")
    assert cli.main(["ask", "How many anchor projects are idle?"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "QA_TOP_K=0" in err and "default, 4" in err and "QA_CHUNK_SIZE=big" in err and "default, 500" in err


def test_an_unknown_llm_names_what_qa_llm_takes():
    from qa.llm import make_backend

    with pytest.raises(ModelError, match=r"QA_LLM 'bogus' is none of embedded, openai, extractive"):
        make_backend(Settings(llm="bogus"))


@pytest.mark.parametrize("extra", [(), ("--rebuild",)])
def test_an_index_dir_that_is_a_file_is_named_and_left_alone(project: Path, monkeypatch, capsys, extra):
    monkeypatch.chdir(project)
    monkeypatch.setenv("QA_ROOT", str(project))
    monkeypatch.setattr("qa.pipeline.load_embedder", lambda *a, **k: FakeEmbedder())
    notes = project / "notes.txt"
    notes.write_text("not an index", encoding="utf-8")
    assert cli.main(["index", "-q", "--index-dir", str(notes), *extra]) == 1
    err = capsys.readouterr().err
    assert f"the index folder {notes} is a file" in err and "--index-dir" in err
    assert notes.read_text(encoding="utf-8") == "not an index"


def test_a_taken_port_or_unknown_host_is_said_before_models_load(monkeypatch):
    import socket

    from qa.api import app as api_app
    from qa.errors import QAError

    monkeypatch.setattr(api_app, "create_app", lambda *a, **k: pytest.fail("models would load"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(QAError, match=rf"cannot listen on 127.0.0.1:{port} .*another --port \(QA_PORT\)"):
            api_app.serve(Settings(port=port))
    with pytest.raises(QAError, match=r"cannot listen on no-such-host.invalid:7860 .*--host \(QA_HOST\)"):
        api_app.serve(Settings(host="no-such-host.invalid"))
