"""The help of the ``qa`` command: every ``QA_*`` environment variable with its default and
meaning, read from the ``Settings`` fields, and a formatter that keeps such lists as written."""

from __future__ import annotations

import argparse
import re
import textwrap
from pathlib import Path
from typing import Literal, get_args, get_origin

from pydantic.fields import FieldInfo

from qa.settings import Settings

ENV_TITLE = "environment variables (read at start; a flag above overrides its variable):"
HELP_WIDTH = 110  # the env list's lines are cut to this many characters


def env_name(name: str, field: FieldInfo, settings_cls: type[Settings] = Settings) -> str:
    """The environment variable that sets ``name``.

    >>> env_name("index_dir", Settings.model_fields["index_dir"])
    'QA_INDEX_DIR'
    """
    alias = field.validation_alias
    if isinstance(alias, str):
        return alias.upper()
    return (str(settings_cls.model_config.get("env_prefix", "")) + name).upper()


def _default_text(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _meaning(field: FieldInfo, flag_help: str = "") -> str:
    """The field's description, else its choices, else its flag's help, else what values it takes."""
    ann = field.annotation
    if field.description:
        return " ".join(field.description.split())
    if get_origin(ann) is Literal:
        return "one of: " + ", ".join(map(str, get_args(ann)))
    if flag_help:
        return flag_help
    bounds = [f"{sym} {getattr(m, attr)}" for m in field.metadata for attr, sym in _BOUNDS if hasattr(m, attr)]
    kinds = {int: "a whole number", float: "a number", bool: "true or false", Path: "a folder"}
    kind = next((k for t, k in kinds.items() if t is ann or t in get_args(ann)), "text")
    return " ".join([kind, *bounds])


_BOUNDS = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))


def settings_epilog(settings_cls: type[Settings] = Settings, flag_help: dict[str, str] | None = None) -> str:
    """Every setting's environment variable, default and meaning, one line each, read from the
    Settings fields (so a new setting is listed without editing this); ``flag_help`` (field name
    -> a flag's help) stands in for a missing description.

    >>> print(settings_epilog().splitlines()[2])
      QA_INDEX_DIR               -          Chroma index folder; default ROOT/index
    """
    flag_help = flag_help or {}
    rows = [
        (env_name(n, f, settings_cls), _default_text(f), _meaning(f, flag_help.get(n, "")))
        for n, f in settings_cls.model_fields.items()
    ]
    w_env, w_def = max(len(r[0]) for r in rows), 10
    lines = [ENV_TITLE]
    for env, default, meaning in rows:
        head = f"  {env:<{w_env}}  {default:<{w_def}} "
        lines.append(head + textwrap.shorten(meaning, max(30, HELP_WIDTH - len(head)), placeholder=" ..."))
    return "\n".join(lines)


def help_of_flags(parsers: list[argparse.ArgumentParser]) -> dict[str, str]:
    """Settings field -> the help of the flag that sets it, without its "(QA_...)" note."""
    out: dict[str, str] = {}
    for p in parsers:
        for a in p._actions:
            text = re.sub(r"\s*\((?:QA_|default)[^)]*\)", "", a.help or "").strip()
            if a.dest in Settings.model_fields and text and not text.startswith("QA_"):
                out.setdefault(a.dest, text)
    return out


class HelpFormatter(argparse.HelpFormatter):
    """Wraps one-paragraph text as usual; text with line breaks (the environment list, the rules
    of `qa index`) is kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)
