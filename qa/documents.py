"""Load text documents and split them into sentences that keep their character offsets.

Every span satisfies ``span.text == document.text[span.start:span.end]``.

>>> doc = Document(source="a.txt", text="Hi there. Two is 2.0 today! Yes")
>>> [s.text for s in sentences(doc)]
['Hi there.', 'Two is 2.0 today!', 'Yes']
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import DocumentError

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md")
MAX_FILE_BYTES = 20_000_000

# A leading "date YYYY-MM-DD" line: metadata, not text (also left out of a document's shown title).
META_LINE = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b")
_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


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
    m = META_LINE.match(text)
    return {"date": m.group(1)} if m else {}


def sentences(doc: Document) -> list[Span]:
    """Split into sentences that know their title and section (see ``qa.structure``)."""
    from qa.structure import sentences as split

    return split(doc)


def source_name(path: Path, root: Path) -> str:
    """The name a file or folder is indexed under: relative to ``root`` when inside it, else absolute.

    A file's folder is resolved but not the file, so a symlink is named by the link, not its target.
    """
    path = path.absolute()
    path = path.resolve() if path.is_dir() or path.name in ("", "..") else path.parent.resolve() / path.name
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def is_under(source: str, folder: str) -> bool:
    """Whether ``source`` names a file inside ``folder`` (both named as ``source_name`` names them).

    >>> is_under("seeds/a.txt", "seeds"), is_under("seeds2/a.txt", "seeds"), is_under("a.txt", ".")
    (True, False, True)
    """
    if folder == ".":
        return not source.startswith("/")
    return source.startswith(folder.rstrip("/") + "/")


def not_regular(path: Path) -> str | None:
    """Why ``path`` is not a regular file (following symlinks) that can be read, or None if it is one.

    Uses ``os.stat`` only: a FIFO or device is never opened.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc}); check the path and permissions"
    if stat.S_ISREG(mode):
        return None
    kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
    return f"{kind}, not a regular file: skipped without opening it; index regular .txt or .md files"


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file; DocumentError for anything else. A FIFO swapped in after the
    check cannot block: the file is opened non-blocking and checked again before reading."""
    why = not_regular(path)
    if why:
        raise DocumentError(f"{path}: {why}")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DocumentError(f"{path}: not a regular file: skipped; index regular .txt or .md files")
        if st.st_size > MAX_FILE_BYTES:
            raise DocumentError(f"{path}: {st.st_size} bytes is over the {MAX_FILE_BYTES} byte limit; split it")
        return f.read()


def read_document(path: Path, root: Path) -> Document:
    """Read one regular UTF-8 file; raise DocumentError naming the file on any problem."""
    try:
        raw = _read_regular(path)
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror or exc}); check the path and permissions") from exc
    if b"\x00" in raw:  # a program or an image: no text to convert
        raise DocumentError(f"{path}: looks binary (NUL bytes); only .txt and .md text is indexed")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text (byte {exc.start}); convert it to UTF-8") from exc
    if not text.strip():
        raise DocumentError(f"{path}: empty (no text); add text or leave it out")
    return Document(source_name(path, root), text, parse_metadata(text))


@dataclass(frozen=True)
class Scan:
    """What ``scan_paths`` found: readable candidates, every candidate, and what was wrong."""

    files: tuple[Path, ...]  # regular files to read
    seen: tuple[Path, ...]  # every candidate, regular or not: these files exist, so are never removed
    problems: tuple[str, ...]  # non-regular files skipped, folders with nothing to index
    empty: tuple[Path, ...]  # folders given that hold no .txt/.md file


def _candidates(folder: Path) -> list[Path]:
    return sorted(f for f in folder.rglob("*") if f.suffix.lower() in SUFFIXES and not f.is_dir())


def scan_paths(paths: Iterable[Path]) -> Scan:
    """Expand folders into their .txt/.md files (sorted) and keep named files as given; files that
    are not regular (FIFOs, devices, sockets, broken links) are listed as problems, never opened."""
    files: list[Path] = []
    seen: list[Path] = []
    problems: list[str] = []
    empty: list[Path] = []
    for p in paths:
        found = _candidates(p) if p.is_dir() else [p]
        if p.is_dir() and not found:
            empty.append(p)
            problems.append(
                f"{p}: no .txt or .md files under it; nothing there was indexed or removed "
                "(a file named by its path is read whatever its extension: qa index FOLDER/README)"
            )
        for f in found:
            seen.append(f)
            why = not_regular(f)
            if why:
                log.info("skipped %s: %s", f, why)  # the caller reports it
                problems.append(f"{f}: {why}")
            else:
                files.append(f)
    return Scan(tuple(files), tuple(seen), tuple(problems), tuple(empty))


def read_documents(files: Iterable[Path], root: Path) -> tuple[list[Document], list[str]]:
    """Read every file; unreadable ones are skipped and reported as messages."""
    docs: list[Document] = []
    problems: list[str] = []
    for path in files:
        try:
            docs.append(read_document(path, root))
        except DocumentError as exc:
            log.info("skipped %s", exc)  # the caller reports it
            problems.append(str(exc))
    return docs, problems


def load_documents(paths: Iterable[Path], root: Path) -> tuple[list[Document], list[str]]:
    """Load every file under ``paths``; the problems (skipped files, empty folders) as messages."""
    scan = scan_paths(paths)
    docs, problems = read_documents(scan.files, root)
    return docs, [*scan.problems, *problems]
