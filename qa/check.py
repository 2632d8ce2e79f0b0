"""Checks that do not trust the model: is the question answerable from the evidence, and is an
answer supported by the spans it cites?

>>> supported("Three of the 41 projects stand idle.", ["29 out of 41 projects", "three projects stand idle"], "")
True
>>> supported("The GDP is 18.5 trillion.", ["three projects stand idle"], "")
False
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from qa.lexicon import (
    ANSWER_TYPE_WORDS,
    ASKS_NUMBER,
    CLAUSE_JOINERS,
    CODE_FENCE,
    CODE_NAME,
    DOCUMENT_WORDS,
    GENERIC_WORDS,
    INSTRUCTION,
    MARKUP,
    MONTHS,
    NAME,
    NEGATES,
    NOT_FOUND,
    PERCENT,
    QUOTED_TERM,
    SHOUTED,
    VERSION_NAMED,
    YEAR,
    YES_NO_ASK,
)
from qa.retrieve import Evidence
from qa.structure import name_words
from qa.text import counts_in, has_term, numbers_in, stem, terms, words
from qa.typos import correct_typos, edit_distance, english_words  # noqa: F401 - part of this API

_GENERIC = {stem(w) for w in GENERIC_WORDS} | {stem(w) for w in DOCUMENT_WORDS}
_DOCUMENT = {stem(w) for w in DOCUMENT_WORDS + ANSWER_TYPE_WORDS}
GENERIC_TERMS = frozenset(_GENERIC)  # terms that say how a question asks, not what about


@dataclass(frozen=True)
class Judgement:
    answerable: bool
    reason: str
    coverage: float  # share of the question's content terms found in the top evidence
    cosine: float  # best dense similarity of an evidence sentence
    missing: tuple[str, ...]  # content terms found nowhere in the corpus
    premise: bool = False  # refused for a year or version the documents never write: nothing overrides it


def judge(
    question: str,
    evidence: list[Evidence],
    vocabulary: set[str],
    corpus_numbers: set[str] | None = None,
    min_cosine: float = 0.25,
    dense: bool = True,
    paraphrase_cosine: float = 0.45,
    names: set[str] | None = None,
    missing_share: float = 0.5,
    cover_share: float = 0.5,
    weak_cosine: float = 0.4,
) -> Judgement:
    """Decide from the evidence alone whether the documents can answer ``question``.

    Refuse when the evidence is far from the question (below ``min_cosine``, unless one sentence
    holds every one of its terms: "Which news agency reported this?" is far in meaning from its
    answer), when it names a year the documents never mention, when ``missing_share`` of its
    content terms appear nowhere in the documents and the dense match is below ``paraphrase_cosine``
    (above it, a paraphrase may be answered, with the missing terms recorded so that any
    unsupported answer becomes a refusal), or when no single evidence sentence covers more than
    ``cover_share`` of it and the match is below ``weak_cosine``. A term the text
    never uses but that names a document (``names``: "GPLv3" for the GNU GPL version 3) is left out.
    """
    question = INSTRUCTION.sub(" ", question)  # text addressing the assistant asks nothing of the documents
    naming = naming_terms(question, names or set(), vocabulary)
    qterms = [t for t in terms(question) if t not in _GENERIC and not t[0].isdigit() and t not in naming]
    if not evidence:
        return Judgement(False, "nothing in the documents matches the question", 0.0, 0.0, tuple(qterms))
    coverage, best = _coverage(qterms, evidence)
    missing = tuple(t for t in qterms if not has_term(t, vocabulary) and t not in CLAUSE_JOINERS)
    cos = max(e.cosine for e in evidence)

    def verdict(ok: bool, reason: str, premise: bool = False) -> Judgement:
        return Judgement(ok, reason, coverage, cos, missing, premise)

    years = set(YEAR.findall(question)) - (corpus_numbers or set())
    if corpus_numbers is not None and years:
        return verdict(False, f"the documents never mention {_and(sorted(years))}", premise=True)
    versions = {v for m in VERSION_NAMED.finditer(question) for v in numbers_in(m.group(1) or m.group(2))}
    if corpus_numbers is not None and (versions := versions - corpus_numbers):
        return verdict(False, f"the documents never mention version {_and(sorted(versions))}", premise=True)
    if qterms and len(missing) / len(qterms) >= missing_share and (not dense or cos < paraphrase_cosine):
        return verdict(False, f"no sentence in the documents mentions {_and(as_written(missing, question))}")
    if not dense:
        return verdict(coverage >= cover_share, "no sentence in the documents shares enough words with the question")
    if cos < min_cosine and not (qterms and best >= 1.0):  # one sentence holds all its terms: near in words
        return verdict(False, "no passage in the documents is close to the question")
    if best <= cover_share and cos < weak_cosine:
        return verdict(False, "no sentence in the documents covers the question")
    return verdict(True, "supported")


def _coverage(qterms: list[str], evidence: list[Evidence]) -> tuple[float, float]:
    """The share of the question's terms in the best three evidence sentences together, and in
    the best single one."""
    if not qterms:
        return 1.0, 1.0
    sent_terms = [set(terms(e.span.text)) for e in evidence]
    union = set().union(*sent_terms[:3])
    best = max((sum(has_term(t, st) for t in qterms) for st in sent_terms), default=0)
    return sum(has_term(t, union) for t in qterms) / len(qterms), best / len(qterms)


def naming_terms(question: str, names: set[str], vocabulary: set[str]) -> set[str]:
    """Terms of ``question`` that its documents' text never uses but that name a document
    ("gplv3" when a document is named "gpl"), so they are not words the documents lack.

    >>> sorted(naming_terms("Is GPLv3 like MPL v2?", {"gpl", "mpl"}, {"like", "mpl"}))
    ['gplv3', 'v2']
    """
    return {
        t
        for t in terms(question)
        if not has_term(t, vocabulary) and (name_words(t) & names or re.fullmatch(r"v\d[\d.]*", t))
    }


def beyond_names(text: str, question: str) -> bool:
    """``text`` mentions a word of ``question`` besides the names in it (generic words count),
    or the question has no such word: a sentence that merely names the person or thing asked
    about does not answer "Where does Ann Lee work today?".

    >>> beyond_names("The library was written by Ann Lee.", "Where does Ann Lee work today?")
    False
    >>> beyond_names("Ann Lee works at the mill.", "Where does Ann Lee work today?")
    True
    """
    if ASKS_NUMBER.match(question) and numbers_in(text):
        return True  # "When was X issued?" is answered by a date that need not say "issued"
    unquoted = QUOTED_TERM.sub(" ", question)  # a quoted term is asked about: its definition answers
    names = {stem(n) for n in names_in(unquoted)} | {stem(n) for n in shouted(unquoted)}
    rest = [t for t in terms(question) if t not in names and not t[0].isdigit() and t not in _DOCUMENT]
    if not names or not rest:
        return True
    have = set(terms(text))
    return any(has_term(t, have) for t in rest)


def says_polarity(question: str, answer: str) -> bool:
    """A yes/no question answered with a negation it does not hold says something new ("No, you
    may not" to "May I …?"), though its other words repeat the question."""
    return bool(YES_NO_ASK.match(question)) and bool(NEGATES.search(answer)) != bool(NEGATES.search(question))


def prose(text: str, min_words: int = 3) -> bool:
    """``text`` has at least ``min_words`` words of letters once links and markup are taken out:
    a line of URLs or link definitions is no answer to quote.

    >>> prose("[5.3.1]: https://example.org/compare/v5.3.0...v5.3.1"), prose("Drop support for Python 3.9.")
    (False, True)
    """
    return len(re.findall(r"[^\W\d_]{2,}", MARKUP.sub(" ", text))) >= min_words


def shouted(text: str) -> set[str]:
    """The words ``text`` writes in capitals (acronyms, "HACKED"), lower-cased."""
    return {m.group().lower() for m in SHOUTED.finditer(text)}


def echoes(answer: str, text: str, n: int = 6) -> bool:
    """``answer`` repeats ``n`` or more consecutive words of ``text`` (e.g. the instructions).

    >>> echoes("Sure: you answer questions about the documents below, using only", "You answer questions about the documents below, using only their sentences.")
    True
    >>> echoes("Three projects stand idle.", "You answer questions about the documents below.")
    False
    """
    source = words(text)
    runs = {tuple(source[i : i + n]) for i in range(len(source) - n + 1)}
    said = words(answer)
    return any(tuple(said[i : i + n]) in runs for i in range(len(said) - n + 1))


def declines(answer: str, sources: list[str] | tuple[str, ...] = ()) -> bool:
    """The model says the documents do not answer ("NOT IN DOCUMENT", "the text does not say"),
    unless the words that would say so are quoted from one of ``sources`` (an answer may quote
    "If the Program does not specify a version number ...").

    >>> declines("The documents do not say.")
    True
    >>> declines("If the Program does not specify a version number, any version. [2]", ["If the Program does not specify a version number of this License"])
    False
    """
    quoted = [" ".join(words(s)) for s in sources]
    for m in NOT_FOUND.finditer(answer):
        around = " ".join(words(answer[m.start() :])[:6])
        if not any(around in q for q in quoted):
            return True
    return False


def as_written(stems: tuple[str, ...] | list[str], text: str) -> list[str]:
    """The words of ``text`` whose stems are ``stems``, as written there (acronyms in capitals).

    >>> as_written(["gdp", "venture"], "What is the GDP of the ventures?")
    ['GDP', 'ventures']
    """
    found = {}
    for m in re.finditer(r"[^\W\d_]+", text):
        s = stem(m.group())
        if s in stems and s not in found:
            found[s] = m.group()
    return [found.get(s, s) for s in stems]


def _and(items: list[str]) -> str:
    """Join words for a sentence.

    >>> _and(["a", "b", "c"])
    'a, b or c'
    """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def names_in(text: str) -> set[str]:
    return {m.group().lower() for m in NAME.finditer(text.strip())} - MONTHS


def code_names(text: str) -> set[str]:
    """The code ``text`` names, lowercased, without backticks or a trailing "()".

    >>> sorted(code_names("Call `console.save_html` or mmh3.hash64() (see README.md, e.g. the U.S. part)."))
    ['console.save_html', 'mmh3.hash64', 'readme.md']
    >>> code_names("```shell $ pip install httpx[http2] ```")
    set()
    """
    text = CODE_FENCE.sub(" ", text)
    found = {(m.group(1) or m.group()).strip().lower().removesuffix("()") for m in CODE_NAME.finditer(text)}
    return {c for c in found if c and not all(len(p) == 1 for p in re.split(r"[._]", c))}  # not "e.g", "U.S"


def focus_terms(question: str) -> list[str]:
    """The question's content terms: what an answer must be about."""
    return [t for t in terms(question) if t not in _GENERIC and not t[0].isdigit()]


def relevance(text: str, question: str) -> float:
    """Share of the question's content terms that ``text`` mentions (1.0 if it has none)."""
    focus = focus_terms(question)
    if not focus:
        return 1.0
    have = set(terms(text))
    return sum(has_term(t, have) for t in focus) / len(focus)


def covers(wanted: list[str], sentence: str) -> float:
    """The share of ``wanted`` terms that ``sentence`` mentions (0 when none are wanted).

    >>> covers(["idle", "project"], "Three projects stand idle."), covers([], "x")
    (1.0, 0.0)
    """
    have = set(terms(sentence))
    return sum(has_term(t, have) for t in wanted) / len(wanted) if wanted else 0.0


def relevant(spans: list[str], question: str, share: float = 0.5) -> bool:
    """The spans mention at least ``share`` of the question's content terms (any, if it has none).

    >>> relevant(["Karazhal reports a decline."], "Which towns are weakest?")
    False
    >>> relevant(["The weakest towns are Temirtau."], "Which towns are weakest?")
    True
    """
    return relevance(" ".join(spans), question) >= share


def support_set(answer: str, candidates: list[str], limit: int = 3) -> list[int]:
    """Indices of the fewest candidates (greedy, at most ``limit``) that hold the answer's numbers,
    names and new words, in order of usefulness.

    >>> support_set("Nine are building and 29 work.", ["29 work today.", "x", "Nine are building."])
    [0, 2]
    """
    code = code_names(answer)
    must = numbers_in(answer) | names_in(answer) | shouted(answer) | code
    need = must | set(terms(answer))
    chosen: list[int] = []
    have: set[str] = set()

    def held(c: str) -> set[str]:  # code is held as written ("console.save_html"), the rest word by word
        return counts_in(c) | set(words(c)) | set(terms(c)) | {x for x in code if x in c.lower()}

    for _ in range(limit):

        def gain(i: int, have: set[str] = have) -> int:
            got = held(candidates[i]) & (need - have)
            return len(got) + 10 * len(got & must)  # numbers and names first: they must be supported

        best = max((i for i in range(len(candidates)) if i not in chosen), key=gain, default=None)
        if best is None or gain(best) == 0:
            break
        chosen.append(best)
        have |= held(candidates[best])
    return chosen


def allowed_numbers(spans: list[str]) -> set[str]:
    """Numbers in the spans (and how many names their lists give), plus sums and differences of two.

    >>> sorted(allowed_numbers(["Plans of Altay, Ridder and Balkhash: 326 activities."]))[:3]
    ['3', '323', '326']
    """
    nums = set().union(*(counts_in(s) for s in spans)) if spans else set()
    values = []
    for n in nums:
        with contextlib.suppress(ValueError):
            values.append(float(n))
    derived = {f"{v:g}" for a in values for b in values for v in (a + b, a - b) if v > 0}
    return nums | derived


def _echoes_premise(answer: str, question: str, around: list[str], vocabulary: set[str]) -> bool:
    """The answer repeats a word of the question that the documents never use, or a name of the
    question, and the texts ``around`` it (spans, their context, the documents' names) lack it."""
    held = {t for s in around for t in terms(s)}
    foreign = {t for t in focus_terms(question) if not has_term(t, vocabulary)}
    echoed = (foreign & set(terms(answer))) | (names_in(question) & names_in(answer))
    return not all(has_term(t, held) for t in echoed)


def supported(
    answer: str,
    spans: list[str],
    question: str,
    context: list[str] | None = None,
    vocabulary: set[str] | None = None,
    titles: list[str] | None = None,
    naming: str = "",
    premise: str | None = None,
) -> bool:
    """Every number and capitalised name in ``answer`` appears in ``spans`` (numbers may be a sum or
    difference of two span numbers), a percentage is a percentage there too, the question's own
    terms that the answer repeats appear in the spans or their ``context`` (no echoed premise),
    and the answer says something the question did not. The ``titles`` of the spans' documents
    hold names too ("the Apache License defines ..." from a sentence of the Apache License), and
    so does ``naming``, the words and numbers that name those documents: an answer may repeat
    "GPL version 3" from the question without citing a sentence that says it. The premise checked
    is ``premise`` when given: a later part's own ask, not the earlier one it follows.

    >>> q = "Why was Temirtau's mayor fired?"
    >>> supported("Temirtau's mayor was fired for 15% less output.", ["Output is 15% less."], q, vocabulary={"output"})
    False
    >>> q = "How do I save the output as HTML?"
    >>> supported("Use `console.save_html` to save it.", ["See the Console API docs."], q)
    False
    >>> q = "Who wrote the GPL version 3?"
    >>> a = "The GPL version 3 was written by the FSF."
    >>> supported(a, ["Copyright 2007 FSF."], q, naming="gpl 3"), supported(a, ["Copyright 2007 FSF."], q)
    (True, False)
    """
    joined = " ".join(spans)
    echoed_names = numbers_in(naming) & numbers_in(question)  # "version 3" repeated from the question
    if not numbers_in(answer) - echoed_names <= allowed_numbers(spans):
        return False
    if not set(PERCENT.findall(answer)) <= set(PERCENT.findall(joined)) | (allowed_numbers(spans) - numbers_in(joined)):
        return False
    known = {w for s in [*spans, *(titles or []), naming] for w in words(s)} | set(terms(joined))
    capitals = shouted(answer) - _DOCUMENT  # "the README" names no fact
    if not all(n in known or has_term(n, known) for n in names_in(answer) | capitals):
        return False
    if any(c not in joined.lower() for c in code_names(answer) - code_names(question)):  # code, as written
        return False
    asked = question if premise is None else premise  # what this part asks, not the ask it follows
    if vocabulary is not None and _echoes_premise(answer, asked, [*spans, *(context or []), naming], vocabulary):
        return False
    new = (set(terms(answer)) | numbers_in(answer)) - set(terms(question)) - numbers_in(question) - _GENERIC
    return bool(new) or says_polarity(question, answer)
