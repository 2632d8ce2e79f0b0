"""Load text documents and split them into sentences that keep their character offsets.

Every span satisfies ``span.text == document.text[span.start:span.end]``.

>>> doc = Document(source="a.txt", text="Hi there. Two is 2.0 today! Yes")
>>> [s.text for s in sentences(doc)]
['Hi there.', 'Two is 2.0 today!', 'Yes']
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import DocumentError

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md")
MAX_FILE_BYTES = 20_000_000

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "prof", "inc", "ltd", "jr", "sr", "vs", "etc", "no", "e.g", "i.e", "gen", "col", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}  # fmt: skip
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by whitespace, or at a blank line.
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n[ \t]*\n")
_META = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b")


@dataclass(frozen=True)
class Span:
    """A piece of a document: ``text == document.text[start:end]``."""

    source: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Document:
    source: str  # path relative to the project root, with forward slashes
    text: str
    metadata: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]


def parse_metadata(text: str) -> dict[str, str]:
    """Metadata in a leading ``date YYYY-MM-DD`` line; the text itself is left unchanged.

    >>> parse_metadata(" date 2024-04-02 At today's meeting")
    {'date': '2024-04-02'}
    """
    m = _META.match(text)
    return {"date": m.group(1)} if m else {}


def _trimmed(doc: Document, start: int, end: int) -> Span | None:
    piece = doc.text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right <= left:
        return None
    return Span(doc.source, start + left, start + right, piece[left:right])


def sentences(doc: Document) -> list[Span]:
    """Split into sentences; a leading metadata header is a span of its own."""
    text = doc.text
    spans: list[Span] = []
    pos = 0
    m = _META.match(text)
    if m:
        span = _trimmed(doc, 0, m.end())
        if span:
            spans.append(span)
        pos = m.end()
    for end_match in _END.finditer(text, pos):
        end = end_match.end()
        if end_match.group().startswith("."):
            word = re.search(r"([\w.]+)\.$", text[pos:end])
            if word and word.group(1).lower() in _ABBREVIATIONS:
                continue
            if re.search(r"(?:^|\s)\w\.$", text[pos:end]):  # an initial, as in "J. Smith"
                continue
        span = _trimmed(doc, pos, end)
        if span:
            spans.append(span)
        pos = end
    span = _trimmed(doc, pos, len(text))
    if span:
        spans.append(span)
    return spans


def source_name(path: Path, root: Path) -> str:
    path = path.resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_document(path: Path, root: Path) -> Document:
    """Read one UTF-8 file; raise DocumentError naming the file on any problem."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DocumentError(f"{path}: {size} bytes is over the {MAX_FILE_BYTES} byte limit; split it")
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror or exc}); check the path and permissions") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text (byte {exc.start}); convert it to UTF-8") from exc
    if "\x00" in text:
        raise DocumentError(f"{path}: looks binary (NUL bytes); only .txt and .md text is indexed")
    return Document(source_name(path, root), text, parse_metadata(text))


def find_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their .txt/.md files (sorted); keep named files as given."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        else:
            found.append(p)
    return found


def load_documents(paths: Iterable[Path], root: Path) -> tuple[list[Document], list[str]]:
    """Load every file; unreadable ones are skipped and reported as messages."""
    docs: list[Document] = []
    problems: list[str] = []
    for path in find_files(paths):
        try:
            docs.append(read_document(path, root))
        except DocumentError as exc:
            log.warning("skipped %s", exc)
            problems.append(str(exc))
    return docs, problems
