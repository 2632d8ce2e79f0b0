"""Citations: ``{source, start, end, quote}`` with ``quote == text_of(source)[start:end]``, checked in code.

A quote claimed by a model is located in the source text (exactly, else ignoring case,
whitespace and quote-mark style); one that cannot be located is dropped, never shown.

>>> text = "Nine projects are under implementation, while three projects stand idle."
>>> locate("three projects  stand idle", text)
(46, 71)
>>> locate("four projects stand idle", text) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from qa.documents import Span

_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


@dataclass(frozen=True)
class Citation:
    source: str
    start: int
    end: int
    quote: str

    @classmethod
    def of(cls, span: Span) -> Citation:
        return cls(span.source, span.start, span.end, span.text)

    def to_dict(self) -> dict:
        return asdict(self)


def _normalise(text: str) -> tuple[str, list[int]]:
    """Lower-case, fold quote marks, collapse whitespace; return the text and a map to original offsets."""
    out: list[str] = []
    where: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if prev_space:
                continue
            ch, prev_space = " ", True
        else:
            prev_space = False
        out.append(ch.translate(_FOLD).lower())
        where.append(i)
    return "".join(out), where


def locate(quote: str, text: str, start_hint: int = 0) -> tuple[int, int] | None:
    """Offsets of ``quote`` in ``text`` (the first at or after ``start_hint``), or None."""
    quote = quote.strip()
    if not quote:
        return None
    i = text.find(quote, start_hint)
    if i < 0:
        i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    norm_text, where = _normalise(text)
    norm_quote, _ = _normalise(quote)
    norm_quote = norm_quote.strip(" .\"'")
    if len(norm_quote) < 3:
        return None
    j = norm_text.find(norm_quote)
    if j < 0:
        return None
    return where[j], where[j + len(norm_quote) - 1] + 1


def verify(citation: Citation, texts: Mapping[str, str]) -> bool:
    """True when the citation's quote is exactly its source's text at its offsets."""
    text = texts.get(citation.source)
    return (
        text is not None
        and 0 <= citation.start < citation.end <= len(text)
        and text[citation.start : citation.end] == citation.quote
    )


def cite_quote(source: str, quote: str, texts: Mapping[str, str]) -> Citation | None:
    """Turn a claimed quote into a verified citation, or None when it cannot be located."""
    text = texts.get(source)
    if text is None:
        return None
    found = locate(quote, text)
    if not found:
        return None
    c = Citation(source, found[0], found[1], text[found[0] : found[1]])
    return c if verify(c, texts) else None


def verified(citations: list[Citation], texts: Mapping[str, str]) -> list[Citation]:
    """Keep only citations that check out; order kept, duplicates dropped."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for c in citations:
        key = (c.source, c.start, c.end)
        if key not in seen and verify(c, texts):
            seen.add(key)
            out.append(c)
    return out


MARKER = re.compile(r"\[(\d{1,3})\]")
