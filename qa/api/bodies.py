"""What is wrong with a request body, in words: not JSON (with line and column), not an object,
sent without ``content-type: application/json``, a field missing, unknown or of the wrong type.
Every message names the bad part and, for a body the server cannot read at all, shows what to send
(the route's own example from its wire model).

>>> not_json("hello", 0, "Expecting value", '{"question": "..."}')
'The request body is not valid JSON (Expecting value at line 1 column 1). Send {"question": "..."}'
>>> field_message({"type": "string_type", "loc": ("body", "question"), "msg": "Input should be a valid string",
...                "input": 5})
'question must be a string, got 5'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel

GENERIC_EXAMPLE = '{"question": "..."}'
# pydantic's tag for one member of a union in an error's location ("str", "list[TextPart]", "float")
_UNION_TAG = re.compile(r"^(?:str|int|float|bool|bytes|none|[\w-]+\[.*\])$")
_EXPECTED = {
    "string_type": "a string",
    "int_type": "a number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


@dataclass(frozen=True)
class BodyProblem:
    """One request's validation errors as a message; ``whole`` when the body itself is unusable
    (not JSON, empty, not an object), else a field is wrong; ``param`` names the first field."""

    message: str
    param: str | None
    whole: bool


def not_json(doc: str, pos: int, reason: str, example: str) -> str:
    """The message for a body that does not parse as JSON, with line and column."""
    err = json.JSONDecodeError(reason, doc, min(pos, len(doc)))
    reason = reason.removesuffix(" at")  # "Unterminated string starting at"
    return f"The request body is not valid JSON ({reason} at line {err.lineno} column {err.colno}). Send {example}"


def not_utf8(example: str) -> str:
    return f"The request body is not UTF-8 JSON. Send {example}"


def json_kind(value: object) -> str:
    """How JSON calls ``value``, shown short: a scalar as itself, a container by its kind.

    >>> json_kind(None), json_kind([1]), json_kind("hot"), json_kind({"a": 1})
    ('null', 'a list', '"hot"', 'an object')
    """
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + '..."'


def field_path(loc) -> str:
    """The field as a dotted path, without 'body' and pydantic's union-member tags.

    >>> field_path(("body", "messages", 0, "content", "list[TextPart]", 0, "text"))
    'messages.0.content.0.text'
    """
    return ".".join(str(x) for x in loc[1:] if not (isinstance(x, str) and _UNION_TAG.match(x)))


def field_message(err: dict, fields: tuple[str, ...] = ()) -> str:
    """One field error in words; ``fields`` are the allowed top-level fields (for unknown ones)."""
    path, kind = field_path(err.get("loc", ())), err.get("type", "")
    if kind == "missing":
        return f"{path} is missing"
    if kind == "extra_forbidden":
        top = len(err.get("loc", ())) == 2 and fields
        return f"unknown field {path!r}" + (f": send only {', '.join(fields)}" if top else ": remove it")
    got, ctx = json_kind(err.get("input")), err.get("ctx") or {}
    if kind in ("too_short", "too_long") and "actual_length" in ctx:
        bound = f"at least {ctx.get('min_length')}" if kind == "too_short" else f"at most {ctx.get('max_length')}"
        return f"{path} must have {bound} item(s), got {ctx['actual_length']}"
    if kind in _EXPECTED:
        return f"{path} must be {_EXPECTED[kind]}, got {got}"
    msg = str(err.get("msg", "is not valid"))
    if msg.startswith("Input should be "):
        return f"{path} must be {msg.removeprefix('Input should be ')}, got {got}"
    return f"{path}: {msg}"


def _merged(errors: list[dict], fields: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path, message) per field; a union's errors on one field become 'a string or a list'."""
    by_path: dict[str, list[dict]] = {}
    paths = {field_path(e.get("loc", ())) for e in errors}
    for e in errors:
        path = field_path(e.get("loc", ()))
        if e.get("type") in _EXPECTED and any(p.startswith(path + ".") for p in paths):
            continue  # a union member of another type: the deeper error says what is wrong
        by_path.setdefault(field_path(e.get("loc", ())), []).append(e)
    out = []
    for path, errs in by_path.items():
        kinds = [_EXPECTED[e["type"]] for e in errs if e.get("type") in _EXPECTED]
        if len(errs) > 1 and len(kinds) == len(errs):
            wanted = " or ".join(dict.fromkeys(kinds))
            out.append((path, f"{path} must be {wanted}, got {json_kind(errs[0].get('input'))}"))
        else:
            out.append((path, "; ".join(dict.fromkeys(field_message(e, fields) for e in errs))))
    return out


def _whole_body(err: dict, content_type: str, example: str) -> str | None:
    """The message when the body as a whole is unusable, else None."""
    loc, kind = tuple(err.get("loc", ())), err.get("type")
    if kind == "json_invalid":
        return None  # handled with the document by the caller
    if loc != ("body",):
        return None
    if kind == "missing":
        return f"The request body is empty. Send {example}"
    value = err.get("input")
    if isinstance(value, (bytes, bytearray)):  # not parsed: the content type is not JSON
        sent = content_type.split(";")[0].strip()
        how = f"was sent as {sent}, not JSON" if sent else "was sent without a content type"
        return f"The request body {how}. Send {example} with the header content-type: application/json"
    return f"The request body must be a JSON object, got {json_kind(value)}. Send {example}"


def describe(errors: list[dict], doc: object, content_type: str, model: type[BaseModel] | None) -> BodyProblem:
    """The message for a request's validation ``errors`` (``doc``: the body FastAPI read)."""
    example = example_for(model)
    for e in errors:
        if e.get("type") == "json_invalid":
            text = doc.decode("utf-8", "replace") if isinstance(doc, (bytes, bytearray)) else str(doc or "")
            pos = e["loc"][1] if len(e.get("loc", ())) > 1 else 0
            return BodyProblem(not_json(text, pos, str(e.get("ctx", {}).get("error", "invalid")), example), None, True)
        whole = _whole_body(e, content_type, example)
        if whole:
            return BodyProblem(whole, None, True)
    fields = tuple(model.model_fields) if model else ()
    parts = _merged(errors, fields)
    message = "; ".join(m for _, m in parts) or "invalid request"
    if any(e.get("type") == "missing" and len(e.get("loc", ())) == 2 for e in errors):
        message += f". Send {example}"
    return BodyProblem(message, parts[0][0] if parts else None, False)


def example_for(model: type[BaseModel] | None) -> str:
    """The smallest useful body for ``model``: its first documented example without empty fields.

    >>> from qa.api.wire import AnswerRequest
    >>> example_for(AnswerRequest)
    '{"question": "How many anchor projects are idle?"}'
    """
    extra = (model.model_config.get("json_schema_extra") or {}) if model else {}
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if not examples:
        return GENERIC_EXAMPLE
    return json.dumps({k: v for k, v in examples[0].items() if v not in ([], {}, None, "")}, ensure_ascii=False)


def body_model(route: object) -> type[BaseModel] | None:
    """The pydantic model of a FastAPI route's JSON body, if it has exactly one."""
    field = getattr(route, "body_field", None)
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
