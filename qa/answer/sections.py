"""Sections: answers about a document's own structure, found in code from the section paths.

A question about a numbered section that asks nothing else ("What is section 9 of the Apache
License called?", "And section 16?") is answered with that section's heading (and, when it asks
what the section says, "What does section 11 cover?", with its first sentence too), in the document the question names (or the best retrieved one); a named
document that has numbered sections but not that one makes it a false premise. A question that
asks which section or heading holds something is answered with the heading of the section of
the best evidence sentence about it.
"""

from __future__ import annotations

from qa.check import GENERIC_TERMS, names_in, naming_terms, prose, shouted
from qa.cite import Citation, verified
from qa.documents import Span
from qa.grounding import gives_asked_kind
from qa.lexicon import (
    ASKS_DATE,
    ASKS_REASON,
    ASKS_SECTION_CONTENT,
    ASKS_SECTION_TITLE,
    ASKS_WHICH_SECTION,
    DESCRIBE_WORDS,
    DESCRIBES,
    DOCUMENT_WORDS,
    SECTION_TOPIC_WORDS,
    YEAR,
)
from qa.naming import TITLE_ASK
from qa.retrieve import Retriever, readable
from qa.structure import flat, name_words, section_numbers, section_refs, unframed
from qa.text import has_term, numbers_in, stem, terms

from .dates import dated_order
from .spans import is_heading, markers, named_documents, usable
from .types import Accept, Gathered, Part, Refuse

_ASIDE = {stem(w) for w in DOCUMENT_WORDS + SECTION_TOPIC_WORDS}
_DESCRIBE = {stem(w) for w in DESCRIBE_WORDS + DOCUMENT_WORDS}


def section_answer(part: Part, gathered: Gathered, retriever: Retriever) -> Accept | Refuse | None:
    """The heading a section question asks for, a refusal for a section the named document lacks,
    or None when the question is not one of these."""
    refs = section_refs(part.text)
    if refs and not asked_beyond(part.text, retriever):
        return _named_section(part, gathered, retriever, refs)
    if ASKS_WHICH_SECTION.search(part.text):
        return _which_section(part, gathered, retriever)
    return dated_order(part, retriever) or dated_heading(part, retriever)


def dated_heading(part: Part, retriever: Retriever) -> Accept | None:
    """For a date question that names a version or other figure ("the release date of mmh3
    5.3.0"), the section heading that writes that figure with a date, as changelogs date their
    releases ("### [5.3.0] - 2026-08-26"), in the documents the question names: the heading is the
    answer. None when the question asks no date or names no figure, or no heading dates it."""
    figures = {n for n in numbers_in(part.text) if not YEAR.fullmatch(n)}
    if not figures or not ASKS_DATE.search(part.text):
        return None
    named = named_documents(retriever, part)
    for s in retriever.sentences:
        if named and s.source not in named or not is_heading(s) or not figures & numbers_in(s.text):
            continue
        if gives_asked_kind(part.text, s.text) and len(numbers_in(s.text) - figures) >= 1:
            cites = verified([Citation.of(s)], retriever.texts)
            return (
                Accept(f"{flat(unframed(s.text)).strip(' #*')} {markers(len(cites))}", tuple(cites), "extractive")
                if cites
                else None
            )
    return None


def asked_beyond(question: str, retriever: Retriever) -> list[str]:
    """The question's terms besides document names, section words and words that ask for a topic.

    A section question with none of them asks only for the section's heading."""
    names = retriever.document_words
    naming = naming_terms(question, names, retriever.vocabulary)
    return [
        t
        for t in terms(question)
        if not t[0].isdigit() and t not in _ASIDE and t not in GENERIC_TERMS and t not in names and t not in naming
    ]


def _docs(part: Part, gathered: Gathered, retriever: Retriever) -> tuple[list[str], bool]:
    """The documents to look in (named ones first) and whether the question named them."""
    named = named_documents(retriever, part) or retriever.named(f"{part.context} {part.text}")
    if named:
        return sorted(named), True
    return list(dict.fromkeys(h.chunk.source for h in gathered.hits)), False


def _named_section(part: Part, gathered: Gathered, retriever: Retriever, refs: set) -> Accept | Refuse | None:
    docs, named = _docs(part, gathered, retriever)
    for doc in docs:
        head = next(
            (s for s in _doc_sentences(retriever, doc) if s.section and refs & section_numbers(s.section[-1:])), None
        )
        if head is not None:
            number = next(n for _, n in refs & section_numbers(head.section[-1:]))
            said = f'Section {number} of {_title(retriever, doc)} is "{flat(head.text)}"'
            first = opening(retriever, head) if asks_content(part.text) else None
            return (
                _accept(retriever, f"{said}: {flat(first.text)}", head, first)
                if first
                else _accept(retriever, said, head)
            )
    if named and all(_numbered(retriever, d) for d in docs):
        wanted = ", ".join(sorted(n for _, n in refs))
        return Refuse(f"{' and '.join(_title(retriever, d) for d in docs)} has no section {wanted}")
    return None


def _which_section(part: Part, gathered: Gathered, retriever: Retriever) -> Accept | None:
    """The section whose own heading names what the question asks about, in the documents it
    names or else those retrieved ("Which section of the Apache License deals with submitting contributions?": "5.
    Submission of Contributions", not the definition that mentions contributions); else the
    section of the first evidence sentence that, with its heading, names half of it. Either names
    every name the question asks about ("AGPL")."""
    want = asked_beyond(part.text, retriever)
    if not want:
        return None

    said = names_in(part.text) | shouted(part.text)
    names = {t for n in said for t in terms(n)} & set(want)  # "AGPL": the section must say it

    def share(text: str) -> float:
        have = set(terms(text))
        return sum(has_term(t, have) for t in want) / len(want) if all(has_term(t, have) for t in names) else 0.0

    heads = [h for d in _docs(part, gathered, retriever)[0] for h in _section_heads(retriever, d)]
    rank: dict[tuple, int] = {}  # a tie goes to the section of the better evidence
    for i, e in enumerate(gathered.evidence):
        rank.setdefault((e.span.source, e.span.section), len(gathered.evidence) - i)
    best = max(heads, key=lambda s: (share(s.section[-1]), rank.get((s.source, s.section), 0)), default=None)
    if best is None or share(best.section[-1]) < 0.5:
        best = next(
            (
                e.span
                for e in gathered.evidence
                if e.span.section and share(f"{e.span.section[-1]} {e.span.text}") >= 0.5
            ),
            None,
        )
    if best is None:
        return None
    path = _headings(retriever, best)
    said = " › ".join(f'"{flat(h.text)}"' for h in path)
    return _accept(retriever, f"{_title(retriever, best.source)} covers it under {said}", *path)


def title_answer(part: Part, gathered: Gathered, retriever: Retriever, lead: int = 2) -> Accept | None:
    """For a question about the title block of the one document it names ("the full name at the
    top of GPL version 2", "according to its opening lines, may I change it?"), the sentence of
    that block that mentions most of what it asks beyond the names and the words that point at
    the block; the block's first sentence (name, version, date) when it asks nothing beyond them.
    None for any other question, when the document has no title block, or when none of the
    ``lead`` best evidence sentences is in that block (then the block is not what it asks about)."""
    named = named_documents(retriever, part)
    top = [e.span for e in gathered.evidence[:lead] if retriever.in_title(e.span)]
    if len(named) != 1 or not TITLE_ASK.search(part.text) or not retriever.title_asked(part.text, top, named):
        return None
    if ASKS_REASON.search(part.text):  # a title block names, dates and versions; it gives no reasons
        return None
    block = [s for s in _doc_sentences(retriever, next(iter(named))) if retriever.in_title(s)]
    block = [s for s in block if prose(readable(s.text))]  # a logo's or a badge's HTML is no answer
    if not block:
        return None
    want = _block_terms(TITLE_ASK.sub(" ", part.text), retriever)
    hits = [sum(has_term(t, set(terms(s.text))) for t in want) for s in block]
    if not any(hits) and any(t not in GENERIC_TERMS for t in want):
        return None  # it asks about something the block does not mention ("when was rule X published?")
    named = _block_terms(part.text, retriever)  # with the words that point at the block: "the copyright line"
    also = [sum(has_term(t, set(terms(s.text))) for t in named) for s in block]
    best = max(range(len(block)), key=lambda i: (hits[i], also[i], -i))
    if not gives_asked_kind(part.text, block[best].text):  # "On what date …?" and the block has no date
        return None
    line = _line_of(retriever, block[best]) if not hits[best] else [block[best]]
    return _accept(retriever, " ".join(readable(s.text) for s in line), *line)


def _line_of(retriever: Retriever, span: Span) -> list[Span]:
    """``span`` and the sentences beside it on its line: a tagline ("Typer, build great CLIs.
    Easy to code. Based on Python type hints.") is one line of short sentences."""
    sents, text = _doc_sentences(retriever, span.source), retriever.texts[span.source]
    lo = hi = sents.index(span)
    while lo > 0 and "\n" not in text[sents[lo - 1].end : sents[lo].start]:
        lo -= 1
    while hi + 1 < len(sents) and "\n" not in text[sents[hi].end : sents[hi + 1].start]:
        hi += 1
    return [x for x in sents[lo : hi + 1] if prose(readable(x.text))]


def _block_terms(question: str, retriever: Retriever) -> list[str]:
    """The question's terms besides document names and document words; generic words count here
    ("may I change it?" is answered by "changing it is not allowed")."""
    names = retriever.document_words
    naming = naming_terms(question, names, retriever.vocabulary)
    return [t for t in terms(question) if not t[0].isdigit() and t not in _ASIDE | names | naming]


def asks_structure(question: str) -> bool:
    """The question asks about sections or headings themselves (then a heading may answer it).

    >>> asks_structure("What is section 7 called?"), asks_structure("What limits liability under the MPL?")
    (True, False)
    """
    return bool(section_refs(question) or ASKS_WHICH_SECTION.search(question) or ASKS_SECTION_TITLE.search(question))


def asks_content(question: str) -> bool:
    """A section question asks what the section says, not only its heading.

    >>> asks_content("What does section 8 of the MPL cover?"), asks_content("What is section 7 called?")
    (True, False)
    """
    return bool(ASKS_SECTION_CONTENT.search(question)) and not ASKS_SECTION_TITLE.search(question)


def opening(retriever: Retriever, head: Span) -> Span | None:
    """The first sentence of prose after the heading ``head``, within its section (or a subsection
    of it): what the section says first; None when the section has none."""
    sents, i = retriever.sentences, retriever.sentence_pos.get((head.source, head.start))
    if i is None:
        return None
    for s in sents[i + 1 : i + 4]:
        if s.source != head.source or s.section[: len(head.section)] != head.section:
            return None
        if prose(s.text, 5) and usable(s):
            return s
    return None


def _accept(retriever: Retriever, text: str, *spans: Span) -> Accept | None:
    cites = verified([Citation.of(s) for s in spans], retriever.texts)
    if len(cites) != len(spans):
        return None
    return Accept(f"{text} {markers(len(cites))}", tuple(cites), "extractive")


def _doc_sentences(retriever: Retriever, doc: str) -> list[Span]:
    return retriever.document_sentences(doc)


def description(retriever: Retriever, doc: str, look: int = 40, at_most: int = 2) -> list[Span]:
    """The sentences near the top of ``doc`` that describe its subject, as a README or a
    licence's preamble does ("HTTPX is a fully featured HTTP client library …"): among its first
    ``look`` sentences, those of prose that name the document within their first words (by a word
    that names at most two or half of the documents) and say what it "is a"/"is the"; at most ``at_most``."""
    names = retriever.names.get(doc, (frozenset(), frozenset()))[0]
    most = max(2.0, len(retriever.names) / 2)  # a word that names most documents ("license") names no subject
    names = {w for w in names if sum(w in ws for ws, _ in retriever.names.values()) <= most}
    found = []
    for s in _doc_sentences(retriever, doc)[:look]:
        text = flat(s.text)
        lead = name_words(" ".join(text.split()[:6]))
        if prose(text, 5) and lead & names and DESCRIBES.search(text) and usable(s):
            found.append(s)
    return found[:at_most]


def _numbered(retriever: Retriever, doc: str) -> bool:
    return any(s.section and section_numbers(s.section[-1:]) for s in _doc_sentences(retriever, doc))


def _title(retriever: Retriever, doc: str) -> str:
    return flat(retriever.titles.get(doc) or doc)


def _heading(retriever: Retriever, span: Span) -> Span:
    """The first sentence of ``span``'s deepest section (its heading), else ``span``."""
    sents, i = retriever.sentences, retriever.sentence_pos.get((span.source, span.start))
    if i is None:
        return span
    while i > 0 and sents[i - 1].source == span.source and sents[i - 1].section == span.section:
        i -= 1
    return sents[i]


def _section_heads(retriever: Retriever, doc: str) -> list[Span]:
    """The first sentence of each section of ``doc`` (its heading), in order."""
    heads: list[Span] = []
    for s in _doc_sentences(retriever, doc):
        if s.section and (not heads or heads[-1].section != s.section):
            heads.append(s)
    return heads


def _headings(retriever: Retriever, span: Span) -> list[Span]:
    """The headings of ``span``'s section and of the numbered section it is part of, outermost
    first ("10. Versions of the License", "10.1. New Versions")."""
    own = _heading(retriever, span)
    if len(span.section) < 2 or not section_numbers(span.section[-2:-1]):
        return [own]
    parent = span.section[:-1]
    above = [s for s in _doc_sentences(retriever, span.source) if s.section == parent and s.start < own.start]
    return [above[0], own] if above else [own]  # the parent's first sentence is its heading


def described(question: str, retriever: Retriever) -> str | None:
    """The one document ``question`` names when it asks nothing about it but what it is ("What is
    Typer?", "What is HTTPX used for?"); None for any other question."""
    named = retriever.named(question)
    if len(named) != 1:
        return None
    doc = next(iter(named))
    ws, ns = retriever.names[doc]
    rest = [t for t in terms(question) if t not in ws | ns | _DESCRIBE and not name_words(t) & ws]
    return None if rest else doc
