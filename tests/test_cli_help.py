"""`qa --help` and every `qa COMMAND --help` list each QA_* variable with its default and meaning,
read from the Settings fields."""

import subprocess
import sys
from typing import Literal

import pytest
from pydantic import Field

from qa.cli import build_parser, main
from qa.cli_help import env_name, settings_epilog
from qa.settings import Settings
from tests.conftest import ROOT


def help_text(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


def env_lines(text: str) -> dict[str, str]:
    tail = text.split("environment variables", 1)[1]
    return {line.split()[0]: line for line in tail.splitlines()[1:] if line.strip()}


@pytest.mark.parametrize("command", [(), ("serve",), ("ask",), ("index",), ("eval",), ("bench",), ("remove",)])
def test_every_setting_is_listed_with_its_default(capsys, command):
    lines = env_lines(help_text(capsys, *command))
    assert set(lines) == {env_name(n, f) for n, f in Settings.model_fields.items()}
    for name, field in Settings.model_fields.items():
        line = lines[env_name(name, field)]
        default = field.default
        shown = "-" if default is None else str(default).lower() if isinstance(default, bool) else None
        if shown is None:
            shown = str(int(default)) if isinstance(default, float) and default.is_integer() else str(default)
        assert line.split()[1] == shown, line
        assert len(line) <= 110 or str(default) in line  # one line each (a long default path aside)


def test_meanings_come_from_the_settings_descriptions(capsys):
    lines = env_lines(help_text(capsys, "serve"))
    assert lines["QA_CHUNK_SIZE"].endswith(Settings.model_fields["chunk_size"].description)
    assert lines["QA_API_KEY"].endswith(Settings.model_fields["api_key"].description)
    assert lines["QA_RETRIEVER"].endswith(Settings.model_fields["retriever"].description)


def test_a_setting_without_a_description_shows_its_choices_or_its_bounds():
    class Bare(Settings):
        mode: Literal["fast", "slow"] = "fast"
        wait_s: float = Field(default=1.0, gt=0)

    text = settings_epilog(Bare)
    assert "fast, slow" in text and "a number > 0" in text


def test_a_new_setting_is_listed_without_editing_the_cli():
    class More(Settings):
        answer_style: str = Field(default="brief", description="how long answers are")

    text = settings_epilog(More)
    assert "QA_ANSWER_STYLE" in text and "brief" in text and "how long answers are" in text


def test_serve_help_from_the_shell_lists_the_variables():
    out = subprocess.run([sys.executable, "-m", "qa.cli", "serve", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    for needle in ("QA_INDEX_DIR", "QA_API_KEY", "QA_LLM_TIMEOUT", "QA_PORT", "7860", "QA_MAX_UPLOAD_MB"):
        assert needle in out.stdout


def test_one_paragraph_descriptions_still_wrap():
    text = build_parser()._subparsers._group_actions[0].choices["eval"].format_help()
    assert max(len(line) for line in text.split("environment variables")[0].splitlines()) <= 100
