"""The help of the ``qa`` command: every ``QA_*`` environment variable with its default and
meaning, read from the ``Settings`` fields, a formatter that keeps such lists as written, and the
messages for bad values (argument types that name the value, a bad ``QA_*`` variable)."""

from __future__ import annotations

import argparse
import re
import textwrap
from pathlib import Path
from typing import Literal, get_args, get_origin

from pydantic import ValidationError
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


def settings_problem(exc: ValidationError, flags: dict[str, object]) -> str:
    """A bad setting in words: the flag or environment variable, the value, what it takes and
    the default (``flags``: the settings given as flags, the rest came from the environment).

    >>> try:
    ...     Settings(top_k=0)
    ... except ValidationError as e:
    ...     print(settings_problem(e, {}))
    QA_TOP_K=0: should be greater than or equal to 1 (unset QA_TOP_K for the default, 4)
    """
    parts = []
    for e in exc.errors():
        name = str(e["loc"][0]) if e.get("loc") else ""
        field = Settings.model_fields.get(name)
        env = env_name(name, field) if field else name.upper()
        msg = str(e.get("msg", "is not valid")).removeprefix("Input ").replace("Input should", "should")
        if name in flags:
            parts.append(f"--{name.replace('_', '-')} {e.get('input')!r}: {msg}")
        else:
            default = f" for the default, {_default_text(field)}" if field else ""
            parts.append(f"{env}={e.get('input')}: {msg} (unset {env}{default})")
    return "; ".join(parts)


def at_least(minimum: int):
    """An argparse type: a whole number of at least ``minimum``, else a message naming the value.

    >>> at_least(1)("3")
    3
    >>> at_least(1)("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be a whole number of at least 1, got '0'
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number of at least {minimum}, got {text!r}")
        return value

    return parse


def port(text: str) -> int:
    """An argparse type: a TCP port.

    >>> port("8080")
    8080
    """
    value = at_least(1)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 1 to 65535, got {text!r}")
    return value
