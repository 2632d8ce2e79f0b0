"""Document structure: headings, numbered sections and clauses, the title; sentences that know
where they are.

A document is cut into blocks (paragraphs, headings, list items, code). A single line break
inside a paragraph is not a sentence end; a blank line or a heading is. Every sentence is a
``Span`` with exact offsets (``text == document.text[start:end]``), its document's title and
its section path. The patterns that recognise structure are the lexicon at the top.

>>> from qa.documents import Document
>>> doc = Document("x.txt", "FOO LICENSE\\n Version 2, 3 May 2001\\n\\n1. Scope.\\n\\nIt covers\\nall (a) code and\\n(b) text. Done.")
>>> [(s.text, s.section) for s in sentences(doc)][1:]
[('1. Scope.', ('1. Scope.',)), ('It covers\\nall (a) code and\\n(b) text.', ('1. Scope.',)), ('Done.', ('1. Scope.',))]
>>> sentences(doc)[0].title
'FOO LICENSE Version 2, 3 May 2001'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.documents import Document, Span

# ---- lexicon: every pattern that recognises structure ---------------------------------------
ATX = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")  # Markdown "## Heading"
UNDERLINE = re.compile(r"[ \t]*(={3,}|-{3,})[ \t]*$")  # setext underline, or a rule
FENCE = re.compile(r"[ \t]*(```|~~~)")
BULLET = re.compile(r"[ \t]*(?:[-*+•]|\|)[ \t]")  # list item or table row: starts a block
NUMBERED = re.compile(r"[ \t]*(\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}[.)])[ \t]+(?=\S)")  # "1." "1.1." "2)"
CLAUSE = re.compile(r"[ \t]*(\(?(?:[a-z]|[ivx]{1,4})\))[ \t]+(?=\S)")  # "(a)" "b)" "(iv)"
SECTION_WORD = re.compile(r"(?:section|article|chapter|part|appendix|exhibit|schedule|annex)\b", re.I)
SUBTITLE = re.compile(r"(?:version|revision|rev\.|v\d|edition|draft|updated|last updated)\b|https?://|www\.|\d{1,2}\s+\w+\s+\d{4}|\w+\s+\d{4}$", re.I)  # fmt: skip
ENUMERATOR = re.compile(r"(?:\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxIVX]{1,4})[.)]|(?:section|article)\s+\d+\.)$", re.I)  # fmt: skip
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "prof", "inc", "ltd", "jr", "sr", "vs", "etc", "no", "e.g", "i.e", "gen", "col", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "sec", "art", "cf", "approx", "fig", "vol", "ed", "pp"}  # fmt: skip
END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|\Z)")  # a sentence end, inside one block
META = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b")
_HEXISH = re.compile(r"(?=.*\d)[0-9a-f]{8,}|\d+")  # file-name parts that name nothing
MAX_SENTENCE = 600  # characters: a longer run without sentence ends (code, tables) is cut at lines

# ranks: a heading closes every open section of the same or a deeper rank
RANK_CAPS, RANK_LINE, RANK_SECTION_WORD, RANK_CLAUSE = 1, 1, 2, 8


@dataclass(frozen=True)
class Block:
    """Lines ``start:end`` of a document: a heading (``rank`` > 0, ``label``), text or code."""

    start: int
    end: int
    kind: str  # heading | text | code
    rank: int = 0
    label: str = ""
    opens: bool = False  # a text block that opens a section (a numbered paragraph or clause)


@dataclass(frozen=True)
class Outline:
    title: str
    blocks: tuple[Block, ...]
    paths: tuple[tuple[str, ...], ...]  # the section path of each block


def flat(text: str) -> str:
    """Whitespace collapsed to single spaces (for indexes and prompts; offsets stay on the raw text).

    >>> flat("  a\\n   b  c ")
    'a b c'
    """
    return " ".join(text.split())


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((pos, pos + len(body)))
        pos += len(line)
    return out


def _heading_style(line: str) -> tuple[int, str] | None:
    """(rank, label) when one stripped line reads as a heading on its own, else None."""
    s = line.strip()
    if not s or len(s) > 80 or s[0] in "[!<|`>*-+" or s[-1] in ",;:":
        return None
    words = s.split()
    m = NUMBERED.match(s)
    if m:
        rest = s[m.end() :].strip()
        ok = len(rest) <= 60 and (rest[-1] not in ".!?" or len(rest.split()) <= 6) and not rest[0].islower()
        ok = ok and not END.search(rest[:-1])  # "7. Disclaimer. Unless required..." is a paragraph
        return (2 + m.group(1).rstrip(".)").count(".") + 1, s) if ok and len(rest.split()) <= 10 else None
    letters = [c for c in s if c.isalpha()]
    if len(letters) >= 3 and all(c.isupper() for c in letters):
        return RANK_CAPS, s
    if SECTION_WORD.match(s) and len(words) <= 12 and len(words) >= 2 and s[0].isupper():
        return RANK_SECTION_WORD, s
    if len(s) <= 60 and len(words) <= 10 and s[-1] not in ".!?)" and s[0].isupper():
        long = [w for w in words if len(w) >= 4]
        if long and sum(w[0].isupper() for w in long) * 2 >= len(long):
            return RANK_LINE, s
    return None


def _split_blocks(text: str, lines: list[tuple[int, int]]) -> list[list[int]]:
    """Line indices grouped into blocks: blank lines, fences, headings and list items cut."""
    blocks: list[list[int]] = []
    cur: list[int] = []
    fence = False
    for i, (a, b) in enumerate(lines):
        line = text[a:b]
        if fence:
            cur.append(i)
            if FENCE.match(line):
                blocks.append(cur)
                cur, fence = [], False
            continue
        if FENCE.match(line):
            if cur:
                blocks.append(cur)
            cur, fence = [i], True
            continue
        if not line.strip():
            if cur:
                blocks.append(cur)
            cur = []
        elif ATX.match(line) or BULLET.match(line):
            if cur:
                blocks.append(cur)
            cur = [i]
            if ATX.match(line):
                blocks.append(cur)
                cur = []
        else:
            cur.append(i)
    if cur:
        blocks.append(cur)
    return blocks


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _classify(text: str, lines: list[tuple[int, int]], idx: list[int], numbered: bool) -> list[Block]:
    """One block of lines as heading/text/code blocks (a heading line may head a text block)."""
    texts = [text[lines[i][0] : lines[i][1]] for i in idx]
    start, end = lines[idx[0]][0], lines[idx[-1]][1]
    if FENCE.match(texts[0]):
        return [Block(start, end, "code")]
    m = ATX.match(texts[0])
    if m:
        return [Block(lines[idx[0]][0] + m.start(2), lines[idx[0]][0] + m.end(2), "heading", len(m.group(1)), m.group(2))]  # fmt: skip
    if len(texts) >= 2 and UNDERLINE.match(texts[-1]):
        body_end = lines[idx[-2]][1]
        if len(texts) <= 3:
            rank = 1 if texts[-1].strip()[0] == "=" else 2
            return [Block(start, body_end, "heading", rank, flat(text[start:body_end]))]
        return [Block(start, body_end, "text")]
    if len(texts) == 1 and UNDERLINE.match(texts[0]):
        return []  # a horizontal rule
    style = _heading_style(texts[0]) if numbered or not NUMBERED.match(texts[0]) else None
    if style:
        rest = texts[1:]
        if all(SUBTITLE.search(t) or (_heading_style(t) or (0,))[0] == RANK_CAPS for t in rest) and len(rest) <= 2:
            return [Block(start, end, "heading", style[0], style[1])]
        if NUMBERED.match(texts[0]) and _indent(rest[0]) > _indent(texts[0]):  # '1.1. "Term"' over its text
            return [Block(start, end, "text", style[0], style[1], True)]  # one section, term and text together
    return [_text_block(text, start, end, numbered)]


def _text_block(text: str, start: int, end: int, numbered: bool) -> Block:
    """A paragraph; one that starts "4. Redistribution. You may..." or "(a) ..." opens a section."""
    body = text[start:end]
    m = NUMBERED.match(body) if numbered else None
    if m:
        rest = flat(body[m.end() :])
        first = END.search(rest)
        head = (
            rest[: first.end()] if first and len(rest[: first.end()].split()) <= 8 else " ".join(rest.split()[:6]) + "…"
        )
        return Block(start, end, "text", 2 + m.group(1).rstrip(".)").count(".") + 1, f"{m.group(1)} {head}", True)
    c = CLAUSE.match(body)
    if c:
        return Block(start, end, "text", RANK_CLAUSE, c.group(1), True)
    return Block(start, end, "text")


def file_title(source: str) -> str:
    """Words of a file name, without hashes and bare numbers ("" when nothing is left).

    >>> file_title("docs/gpl-3.0.txt"), file_title("seeds/000_c28c5033849fa43c.txt")
    ('gpl 3.0', '')
    """
    parts = re.split(r"[-_\s]+", PurePosixPath(source).stem)
    return " ".join(p for p in parts if p and not _HEXISH.fullmatch(p.lower()) or re.fullmatch(r"\d+\.\d+", p))


def outline(doc: Document) -> Outline:
    """The document's blocks, each with its section path, and the title: the first heading
    (if it comes before the second paragraph), else ``metadata["title"]``, else the file name."""
    text = doc.text
    lines = _lines(text)
    groups = _split_blocks(text, lines)
    numbered = not any(ATX.match(text[lines[g[0]][0] : lines[g[0]][1]]) for g in groups)  # Markdown: lists
    blocks = [b for g in groups for b in _classify(text, lines, g, numbered)]
    title, first = "", None
    for i, b in enumerate(blocks[:3]):
        if b.kind == "heading" and b.rank <= 2 and not NUMBERED.match(b.label):
            title, first = _title_of(text[b.start : b.end], b), i
            break
        if b.kind == "text" and len(text[b.start : b.end]) > 200:
            break
    title = title or doc.metadata.get("title", "") or file_title(doc.source)
    return Outline(title, tuple(blocks), _paths(blocks, first))


def _paths(blocks: list[Block], first: int | None) -> tuple[tuple[str, ...], ...]:
    """Section paths: a heading closes the open sections of its rank or deeper. A numbered
    section also closes an unnumbered heading that had text of its own ("Preamble" and then
    "1. Definitions" are siblings; "TERMS AND CONDITIONS" straight over "0. Definitions" a parent)."""
    stack: list[list] = []  # [rank, label, numbered, had_text]
    paths = []
    for i, b in enumerate(blocks):
        if i != first and (b.kind == "heading" or b.opens):
            numbered = bool(NUMBERED.match(b.label) or CLAUSE.match(b.label))
            while stack and (stack[-1][0] >= b.rank or (numbered and not stack[-1][2] and stack[-1][3])):
                stack.pop()
            stack.append([b.rank, flat(b.label), numbered, False])
        elif stack and b.kind != "heading":
            stack[-1][3] = True
        paths.append(tuple(entry[1] for entry in stack))
    return tuple(paths)


def _title_of(raw: str, block: Block) -> str:
    kept = [ln for ln in raw.splitlines() if ln.strip() and not re.search(r"https?://|www\.|^[ \t]*[=-]{3,}", ln)]
    return flat(" ".join(kept)) or block.label


def sentences(doc: Document) -> list[Span]:
    """Sentences with exact offsets, title and section path; a leading metadata header
    (``date YYYY-MM-DD``) is a span of its own; a heading is one sentence."""
    text, out = doc.text, outline(doc)
    pieces: list[tuple[int, int, tuple[str, ...]]] = []
    skip = 0
    meta = META.match(text)
    if meta:
        pieces.append((0, meta.end(), ()))
        skip = meta.end()
    for b, path in zip(out.blocks, out.paths, strict=True):
        start = max(b.start, skip)
        if start >= b.end:
            continue
        cuts = [(start, b.end)] if b.kind != "text" else split_text(text, start, b.end)
        pieces.extend((a, e, path) for c in cuts for a, e in _by_lines(text, *c))
    return [s for a, e, path in pieces if (s := _span(doc, a, e, out.title, path))]


def _span(doc: Document, start: int, end: int, title: str, path: tuple[str, ...]) -> Span | None:
    from qa.documents import Span

    piece = doc.text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right <= left:
        return None
    return Span(doc.source, start + left, start + right, piece[left:right], title, path)


def split_text(text: str, start: int, end: int) -> list[tuple[int, int]]:
    r"""Sentence boundaries inside one paragraph: line breaks are spaces; an abbreviation, an
    initial or a bare enumerator ("1.", "a.") is no end; an enumerator opening a line starts one.

    >>> t = "See Dr. J. Doe\nnow. 1. First\nthing.\n2. Second."
    >>> [t[a:b] for a, b in split_text(t, 0, len(t))]
    ['See Dr. J. Doe\nnow.', ' 1. First\nthing.', '\n2. Second.']
    """
    cuts, pos = [], start
    for m in END.finditer(text, start, end):
        e = m.end()
        piece = text[pos:e]
        nl = piece.rfind("\n")
        if nl > 0 and piece[:nl].strip() and ENUMERATOR.fullmatch(piece[nl + 1 :].strip()):
            cuts.append((pos, pos + nl))  # "...text\n2. Next" ends before the enumerator
            pos += nl
            continue
        if m.group().startswith("."):
            word = re.search(r"([\w.]+)\.$", piece)
            if word and word.group(1).lower() in ABBREVIATIONS:
                continue
            if re.search(r"(?:^|\s)\w\.$", piece):  # an initial, as in "J. Smith"
                continue
        if ENUMERATOR.fullmatch(piece.strip()):
            continue
        cuts.append((pos, e))
        pos = e
    if pos < end:
        cuts.append((pos, end))
    return cuts


def _by_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A run over ``MAX_SENTENCE`` characters that spans lines is cut at line breaks."""
    if end - start <= MAX_SENTENCE or "\n" not in text[start:end]:
        return [(start, end)]
    out, a = [], start
    for m in re.finditer(r"\n", text[start:end]):
        cut = start + m.start()
        if cut - a > MAX_SENTENCE // 2:
            out.append((a, cut))
            a = cut
    out.append((a, end))
    return out


# ---- names: how a question can name a document or a section ----------------------------------
SECTION_REF = re.compile(r"(?:\b(section|clause|paragraph|article|chapter|part)s?|(§)+)\s*(\d{1,3}(?:\.\d{1,3})*)", re.I)  # fmt: skip
LABEL_NUMBER = re.compile(r"\(?(?:(section|article|chapter|part|clause)\s+)?(\d{1,3}(?:\.\d{1,3})*)", re.I)
_KIND = {"clause": "section", "paragraph": "section", "§": "section", "": "section"}  # words for one kind of part
TITLE_ASK = re.compile(r"\b(?:when\s+was|what\s+date|which\s+version|what\s+version|dated?|published|issued|released|copyright(?!\s+(?:holders?|owners?|notices?|law|statements?))|full\s+name|(?:at\s+the\s+)?top\s+of|opening\s+lines?|first\s+lines?|(?:heading|title)\s+of)\b", re.I)  # fmt: skip
TITLE_BLOCK = 3  # a document's first sentences outside any section are its title block (name, version, date, notice)
_VERSION = re.compile(r"\b(?:version|v)\s*(\d+(?:\.\d+)*)", re.I)
_ALNUM = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_NOT_NAMES = {"version", "readme", "txt", "md"}
_VERSION_WORDS = ("version", "v", "ver", "release", "revision")  # words between a name and its version


def name_words(text: str) -> set[str]:
    """Normalised words of a name or question, letters and digits also apart ("GPLv3").

    >>> sorted(name_words("Is GPLv3 like the MPL 2.0 licence?"))
    ['2.0', '3', 'gpl', 'gplv', 'gplv3', 'license', 'like', 'mpl']
    """
    from qa.text import tokens

    out: set[str] = set()
    for t in tokens(text):
        out.add(t)
        parts = [p for p in _ALNUM.split(t) if p]
        if len(parts) > 1:
            out.update(parts)
            out.update(p[:-1] for p in parts[:-1] if len(p) > 2 and p.endswith("v"))  # "gplv3": "gpl" v3
    return out


def in_title_block(span: Span, position: int) -> bool:
    """``span``, the ``position``-th sentence of its document, belongs to the title block: one of
    the first ``TITLE_BLOCK`` sentences, before any section.

    >>> from qa.documents import Span
    >>> in_title_block(Span("a.txt", 0, 9, "FOO LICENSE", "FOO"), 0), in_title_block(Span("a.txt", 90, 99, "x", "FOO", ("1. A",)), 1)
    (True, False)
    """
    return position < TITLE_BLOCK and not span.section


def version_pairs(text: str) -> set[tuple[str, str]]:
    """(name word, version) pairs that ``text`` writes together: "GPLv3", "GPL v3", "GPL version 3",
    "MPL 2.0", and "version 2 of the GPL" (a number after a word that says version also names the
    word that follows it). Words are normalised as ``name_words`` does.

    >>> sorted(version_pairs("Is GPLv3 like MPL 2.0, or version 2 of the GPL? See section 4."))
    [('gpl', '2'), ('gpl', '3'), ('gplv', '3'), ('mpl', '2.0'), ('section', '4')]
    """
    from qa.text import tokens

    seq = [p for t in tokens(text) for p in _ALNUM.split(t) if p]
    marks = set(tokens(" ".join(_VERSION_WORDS)))
    pairs: set[tuple[str, str]] = set()
    for i, t in enumerate(seq):
        if not t[0].isdigit():
            continue
        j = i - 1
        while j >= 0 and seq[j] in marks:
            j -= 1
        before = seq[j] if j >= 0 and not seq[j][0].isdigit() else ""
        after = seq[i + 1] if j < i - 1 and i + 1 < len(seq) and not seq[i + 1][0].isdigit() else ""
        for w in filter(None, (before, after)):
            pairs.add((w, t))
            if len(w) > 3 and w.endswith("v"):
                pairs.add((w[:-1], t))  # "gplv3": gpl v3
    return pairs


def name_terms(title: str, source: str) -> tuple[frozenset[str], frozenset[str]]:
    """(words, numbers) that name a document: title and file-name words, acronyms of the title
    ("GNU General Public License" -> "gpl"), version numbers ("2.0" also as "2").

    >>> words, numbers = name_terms("Mozilla Public License Version 2.0", "docs/mpl-2.0.txt")
    >>> sorted(words), sorted(numbers)
    (['license', 'mozilla', 'mpl', 'public'], ['2', '2.0'])
    """
    from qa.text import tokens

    base = re.sub(r"[^\w\s.]", " ", title)
    head = _VERSION.split(base)[0] if _VERSION.search(base) else base
    raw = [w for w in head.split() if w.isalpha()]
    acronyms = {"".join(w[0] for w in raw[i:j]).lower() for i in range(len(raw)) for j in range(i + 3, len(raw) + 1)}
    found = name_words(f"{head} {file_title(source)}") | acronyms
    numbers = set(_VERSION.findall(base)) | {w for w in tokens(file_title(source)) if w[0].isdigit()}
    numbers |= {n[:-2] for n in numbers if n.endswith(".0")}
    words = {w for w in found if not w[0].isdigit() and w not in _NOT_NAMES and len(w) > 1}
    return frozenset(words - set(tokens("version"))), frozenset(numbers)


def section_numbers(path: tuple[str, ...]) -> set[tuple[str, str]]:
    """(kind, number) of the sections on a path: "2. Grants" and "Section 2" are ("section", "2"),
    "Article 3" is ("article", "3").

    >>> sorted(section_numbers(("Article 3", "3.1. Scope")))
    [('article', '3'), ('section', '3.1')]
    """
    out = set()
    for label in path:
        m = LABEL_NUMBER.match(label)
        if m:
            kind = (m.group(1) or "").lower()
            out.add((_KIND.get(kind, kind), m.group(2)))
    return out


def section_refs(question: str) -> set[tuple[str, str]]:
    """The sections a question names: "section 4", "§ 2.1", "clause 3" -> ("section", n);
    "article 11" -> ("article", "11").

    >>> sorted(section_refs("Does section 4 or article 11 or § 2.1 apply?"))
    [('article', '11'), ('section', '2.1'), ('section', '4')]
    """
    out = set()
    for word, para, number in SECTION_REF.findall(question):
        kind = (word or para).lower()
        out.add((_KIND.get(kind, kind), number))
    return out
