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
from typing import TYPE_CHECKING

from qa.lexicon import ASIDE, HTML_TAG
from qa.naming import (  # noqa: F401 - how a question names documents and sections; part of this API
    LABEL_NUMBER,
    SECTION_REF,
    TITLE_ASK,
    TITLE_BLOCK,
    file_title,
    in_title_block,
    name_terms,
    name_words,
    section_numbers,
    section_refs,
    version_pairs,
)

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
BOX = re.compile(r"[ \t]*\*(?:[ \t]+(.*?))?[ \t]+\*[ \t]*|[ \t]*\*{3,}[ \t]*")  # a line of a box drawn in asterisks
FRAME = re.compile(r"(?m)^[ \t]*\*(?:[ \t]+|$)|[ \t]+\*[ \t]*$")  # the left and right edges of such a line
META = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b")
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


def unboxed(line: str) -> str:
    """One line without the asterisk frame of a box it is part of ("" for a border line); any
    other line as it is. A boxed paragraph (a licence's disclaimer) reads as a paragraph.

    >>> unboxed("*  Covered Software is provided   *"), unboxed("*****"), unboxed("*      *"), unboxed("* item")
    ('Covered Software is provided', '', '', '* item')
    """
    m = BOX.fullmatch(line)
    return line if m is None else (m.group(1) or "")


def unframed(text: str) -> str:
    """A sentence of a box without the frame on its lines (the text only: offsets stay on the raw text).

    >>> unframed("*  Should any Software prove   *\\n*  defective, You pay.")
    'Should any Software prove\\ndefective, You pay.'
    >>> unframed("*\\n*  Should any Software"), unframed("*  A line in a box.   *")
    ('Should any Software', 'A line in a box.')
    >>> unframed("See * and 2 * 3.")
    'See * and 2 * 3.'
    """
    if "*" not in text:  # the common case, read for every sentence of a context block
        return text
    lines = text.split("\n")
    framed = [ln for ln in lines if ln.strip() == "*" or ln.rstrip().endswith(" *") or BOX.fullmatch(ln)]
    return FRAME.sub("", text).strip() if framed and (len(lines) > 1 or BOX.fullmatch(text)) else text


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
    fence, tags = False, False
    for i, (a, b) in enumerate(lines):
        line = unboxed(text[a:b])
        if cur and not fence and line.strip() and tags_only(line) != tags:  # "</p>" glued to no prose
            blocks.append(cur)
            cur = []
        tags = tags_only(line)
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


def tags_only(line: str) -> bool:
    """A line of HTML tags and no text: a README's ``<p align="center">`` or badge link.

    >>> tags_only('</p>'), tags_only('  <a href="x"><img src="y" alt="Typer"></a>'), tags_only('<em>Easy.</em>')
    (True, True, False)
    """
    return "<" in line and not HTML_TAG.sub("", line).strip()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _classify(text: str, lines: list[tuple[int, int]], idx: list[int], numbered: bool) -> list[Block]:
    """One block of lines as heading/text/code blocks (a heading line may head a text block)."""
    texts = [unboxed(text[lines[i][0] : lines[i][1]]) for i in idx]
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
            return [Block(start, body_end, "heading", rank, flat(" ".join(texts[:-1])))]
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
    if right <= left or not unframed(piece[left:right]).strip("* \t\n"):
        return None  # blank, or only the edge of a box
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
            if re.search(r"(?:^|\s)[^\W\d_]\.$", piece):  # an initial, as in "J. Smith" (not "Python 3.")
                continue
        if ENUMERATOR.fullmatch(piece.strip()):
            continue
        cuts.append((pos, e))
        pos = e
    if pos < end:
        cuts.append((pos, end))
    return _asides_joined(text, cuts)


def _asides_joined(text: str, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cuts with a bracketed aside (``lexicon.ASIDE``) joined to the sentence before it on its line.

    >>> t = "* `rich` - Rich terminal support. *(Optional, with `httpx[cli]`)*"
    >>> [t[a:b] for a, b in _asides_joined(t, [(0, 33), (33, len(t))])]
    ['* `rich` - Rich terminal support. *(Optional, with `httpx[cli]`)*']
    """
    out: list[tuple[int, int]] = []
    for a, e in cuts:
        piece = text[a:e]
        gap = piece[: len(piece) - len(piece.lstrip())]
        if out and "\n" not in gap and ASIDE.fullmatch(piece.strip()):
            out[-1] = (out[-1][0], e)
        else:
            out.append((a, e))
    return out


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


def is_heading(span: Span) -> bool:
    """``span`` is its section's heading, which names a topic and says nothing of it.

    >>> from qa.documents import Span
    >>> is_heading(Span("a", 0, 13, "8. Litigation", "", ("8. Litigation",)))
    True
    >>> is_heading(Span("a", 0, 20, "Any litigation may…", "", ("8. Litigation",)))
    False
    """
    return bool(span.section) and flat(unframed(span.text)).strip(" *#") == flat(span.section[-1]).strip(" *#")
