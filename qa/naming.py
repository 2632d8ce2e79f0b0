"""Names: how a question can name a document (title or file-name words, a version such as "v3")
or a section ("section 4", "§ 2.1"), and a document's title block (its first lines).

>>> sorted(section_refs("What does section 4.1 say?"))
[('section', '4.1')]
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from qa.typos import english_words

if TYPE_CHECKING:
    from qa.documents import Span

_HEXISH = re.compile(r"(?=.*\d)[0-9a-f]{8,}|\d+")  # file-name parts that name nothing


def file_title(source: str) -> str:
    """Words of a file name, without hashes and bare numbers ("" when nothing is left).

    >>> file_title("docs/gpl-3.0.txt"), file_title("seeds/000_c28c5033849fa43c.txt")
    ('gpl 3.0', '')
    """
    parts = re.split(r"[-_\s]+", PurePosixPath(source).stem)
    return " ".join(p for p in parts if p and not _HEXISH.fullmatch(p.lower()) or re.fullmatch(r"\d+\.\d+", p))


SECTION_REF = re.compile(r"(?:\b(section|clause|paragraph|article|chapter|part)s?|(§)+)\s*(\d{1,3}(?:\.\d{1,3})*)", re.I)  # fmt: skip
LABEL_NUMBER = re.compile(r"\(?(?:(section|article|chapter|part|clause)\s+)?(\d{1,3}(?:\.\d{1,3})*)", re.I)
_KIND = {"clause": "section", "paragraph": "section", "§": "section", "": "section"}  # words for one kind of part
TITLE_ASK = re.compile(r"\b(?:when\s+was|what\s+date|which\s+version|what\s+version|dated?|published|issued|released|copyright(?!\s+(?:holders?|owners?|notices?|law|statements?))|full\s+name|(?:at\s+the\s+)?top\s+of|opening\s+lines?|first\s+lines?|(?:heading|title|tagline|slogan|subtitle|motto)\s+of|tagline|slogan|subtitle|motto)\b", re.I)  # fmt: skip
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


_TOKEN = re.compile(r"[\w.'’-]*\w")
# What joins two documents' names in a comparison: "X and Y", "X, Y", "X versus Y", "under X and under Y".
_JOINER = re.compile(
    r"\s*(?:,\s*)?(?:(?:and|or|versus|vs\.?|against|compared\s+(?:with|to)|as\s+well\s+as)\s+)?"
    r"(?:(?:under|in|for|with|of|by)\s+)?(?:the\s+)?",
    re.I,
)


def name_runs(question: str, names: dict[str, tuple[frozenset[str], frozenset[str]]]) -> list[tuple[int, int, str]]:
    """(start, end, source) of each run of words in ``question`` that names exactly one document:
    name words, then the version words and numbers that narrow them ("GPL version 2", "MPL 2.0").
    A run does not start with an everyday word in lower case ("support").

    >>> names = {"a.txt": (frozenset({"apache", "license"}), frozenset({"2", "2.0"})),
    ...          "m.txt": (frozenset({"mpl", "license"}), frozenset({"2", "2.0"}))}
    >>> name_runs("Do the Apache License and the MPL 2.0 differ?", names)
    [(7, 21, 'a.txt'), (30, 37, 'm.txt')]
    """
    runs: list[tuple[int, int, str]] = []
    start, end, docs = -1, -1, set()
    for m in _TOKEN.finditer(question):
        words = name_words(m.group())
        digits = {w for w in words if w[0].isdigit()}
        named = {src for src, (ws, _) in names.items() if words & ws}
        versioned = {src for src, (_, ns) in names.items() if digits & ns}
        if named and digits:  # "GPLv3", "GPL-2": the version narrows the name
            named &= versioned or named
        cont = (docs & named) or (docs & versioned) or (docs if words and words <= set(_VERSION_WORDS) else set())
        if start >= 0 and cont and question[end : m.start()].strip() == "":
            end, docs = m.end(), cont
            continue
        if start >= 0 and len(docs) == 1:
            runs.append((start, end, next(iter(docs))))
        if m.group().islower() and words <= english_words():  # "support", not "Supporting rootless builds"
            named = set()
        start, end, docs = (m.start(), m.end(), named) if named else (-1, -1, set())
    if start >= 0 and len(docs) == 1:
        runs.append((start, end, next(iter(docs))))
    return runs


def for_document(question: str, keep: str, names: dict[str, tuple[frozenset[str], frozenset[str]]]) -> str:
    """``question``, which compares documents, asked of ``keep`` alone: the other documents' names
    are left out with the "and"/"or"/"versus" that joins them to its name. Unchanged when the
    names are not joined that way (the question is not a plain comparison of named documents).

    >>> names = {"a.txt": (frozenset({"apache", "license"}), frozenset({"2", "2.0"})),
    ...          "m.txt": (frozenset({"mpl", "license"}), frozenset({"2", "2.0"}))}
    >>> q = "What do the Apache License and the MPL 2.0 say about trademarks?"
    >>> for_document(q, "m.txt", names), for_document(q, "a.txt", names)
    ('What do the MPL 2.0 say about trademarks?', 'What do the Apache License say about trademarks?')
    """
    runs = name_runs(question, names)
    if keep not in {src for *_, src in runs} or len({src for *_, src in runs}) < 2:
        return question
    text = question
    for i in range(len(runs) - 1, 0, -1):  # from the end, so earlier offsets stay valid
        (s1, e1, a), (s2, e2, b) = runs[i - 1], runs[i]
        if a == b or not _JOINER.fullmatch(text[e1:s2]):
            return question
        if b != keep:
            text = text[:e1] + text[e2:]
        elif a != keep:  # the article before the kept name stays: "X and the MPL" -> "the MPL"
            article = re.search(r"\bthe\s+$", text[e1:s2], re.I)
            text = text[:s1] + text[s2 - (len(article.group()) if article else 0) :]
        runs[i - 1] = (s1, e1, keep) if keep in (a, b) else (s1, e1, a)
    return re.sub(r"\b(the)\s+the\b", r"\1", re.sub(r"\s{2,}", " ", text), flags=re.I)


def written_as_names(text: str) -> set[str]:
    """Name words (``name_words``) of the words ``text`` capitalises after its first word, where a
    capital marks a name rather than the start of a sentence.

    >>> sorted(written_as_names("Does Rich support the Apache License? Yes."))
    ['apache', 'license', 'rich']
    """
    found: set[str] = set()
    for m in _TOKEN.finditer(text):
        before = text[: m.start()].rstrip()
        if before and before[-1] not in ".?!:" and m.group()[:1].isupper():
            found |= name_words(m.group())
    return found
