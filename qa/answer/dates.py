"""Dates of documents: which of the documents a question names came first, from their title blocks.

A licence or a specification dates itself at its top ("Version 2, June 1991", "Version 3, 29 June
2007"). A question that asks which of two named documents is older or came out first is answered
by comparing those dates in code, with a citation for each; the model is not asked to order them.

>>> date_in("Version 3, 29 June 2007"), date_in("Version 2.0, January 2004"), date_in("2026-08-26")
((2007, 6, 29), (2004, 1, 0), (2026, 8, 26))
>>> date_in("Copyright (C) 1989, 1991 Free Software Foundation") is None
True
"""

from __future__ import annotations

import calendar

from qa.cite import Citation, verified
from qa.documents import Span
from qa.lexicon import ASKS_LATEST, ASKS_ORDER, DATE_ISO, DATE_WRITTEN
from qa.naming import TITLE_BLOCK
from qa.retrieve import Retriever
from qa.structure import flat, unframed

from .spans import named_documents
from .types import Accept, Part

_MONTH = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}  # "june" -> 6 (C locale)


def date_in(text: str) -> tuple[int, int, int] | None:
    """The first date ``text`` writes with its month ("29 June 2007", "June 1991", "May 3, 2001",
    "2026-08-26") as (year, month, day), day 0 when it gives none; None without one."""
    found = _dated(text)
    return found[0] if found else None


def _dated(text: str) -> tuple[tuple[int, int, int], int] | None:
    """``date_in``'s date and where it ends in ``text``."""
    for m in DATE_WRITTEN.finditer(text):
        month = _MONTH.get(m.group(2).lower())
        if month:
            return (int(m.group(4)), month, int(m.group(1) or m.group(3) or 0)), m.end()
    iso = DATE_ISO.search(text)
    return ((int(iso.group(1)), int(iso.group(2)), int(iso.group(3))), iso.end()) if iso else None


def dated_order(part: Part, retriever: Retriever) -> Accept | None:
    """For a question asking which of the documents it names came first (or last), each one's
    title-block date compared in code: "GPL version 2 (June 1991) is older than …". None when it
    asks no order, names fewer than two documents, or one of them has no dated title block."""
    named = sorted(named_documents(retriever, part))
    if part.document or len(named) < 2 or not ASKS_ORDER.search(part.text):
        return None
    found: list[tuple[tuple[int, int, int], Span]] = []
    for doc in named:
        dated = [
            (d, s)
            for s in retriever.document_sentences(doc)[:TITLE_BLOCK]
            if retriever.in_title(s) and (d := date_in(s.text))
        ]
        if not dated:
            return None
        found.append(dated[0])
    found.sort(key=lambda ds: ds[0], reverse=bool(ASKS_LATEST.search(part.text)))
    if found[0][0] == found[1][0]:
        return None  # the same date: no order to tell
    cites = verified([Citation.of(s) for _, s in found], retriever.texts)
    if len(cites) != len(found):
        return None
    said = [f"{_label(retriever, s)} [{i}]" for i, (_, s) in enumerate(found, 1)]
    word = "is newer than" if ASKS_LATEST.search(part.text) else "is older than"
    return Accept(f"{said[0]} {word} {', '.join(said[1:])}.", tuple(cites), "extractive")


def _label(retriever: Retriever, span: Span) -> str:
    """The dated sentence up to its date, after its document's title unless it writes the title."""
    text = flat(unframed(span.text))
    text = text[: found[1]] if (found := _dated(text)) else text  # up to its date: not a URL after it
    title = flat(retriever.titles.get(span.source) or span.source)
    return text if title.lower() in text.lower() else f"{title} ({text})"
