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

_META = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b")


@dataclass(frozen=True)
class Span:
    """A piece of a document: ``text == document.text[start:end]``; a sentence also knows its
    document's title and its section path (``qa.structure``).

    >>> Span("a.txt", 0, 3, "Hi.", "A Guide", ("2. Use",)).header
    'A Guide › 2. Use'
    """

    source: str
    start: int
    end: int
    text: str
    title: str = field(default="", compare=False)
    section: tuple[str, ...] = field(default=(), compare=False)

    @property
    def header(self) -> str:
        """Title and section path, for indexes and prompts ("" when there are none)."""
        return " › ".join(x for x in (self.title, *self.section) if x)


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


def sentences(doc: Document) -> list[Span]:
    """Split into sentences that know their title and section (see ``qa.structure``)."""
    from qa.structure import sentences as split

    return split(doc)


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
