"""Helpers on cited spans, shared by the verifier and the extractive answerer: how a span reads
in its context (section path), which names and figures it holds, whether sources disagree."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from qa.check import (
    GENERIC_TERMS,
    allowed_numbers,
    covers,
    focus_terms,
    prose,
    relevance,
    relevant,
    support_set,
)
from qa.cite import MARKER, Citation, verified
from qa.documents import Span
from qa.grounding import figure_about_names
from qa.lexicon import (
    ASKS_NAMES,
    INSTRUCTION,
    NOT_FOUND,
    REFERS_BACK,
    TURNS_TOPIC,
    YEAR,
)
from qa.retrieve import Retriever
from qa.structure import flat, is_heading, name_words, unframed  # noqa: F401 - is_heading: part of this API
from qa.text import NUMBER_WORDS, STOPWORDS, counts_in, has_term, numbers_in, terms, words

from .types import Accept, Fallback, Gathered, Part

log = logging.getLogger(__name__)


def named_documents(retriever: Retriever, part: Part) -> set[str]:
    """The documents ``part`` is about: the one it is asked of (a comparison asked one document at
    a time), else those its words name."""
    return {part.document} if part.document else retriever.named(part.text)


def in_context(retriever: Retriever, span: Span) -> str:
    """The span with the sentence before it when it goes on from it ("this amount" needs its
    antecedent; "Meanwhile, Karazhal reports a decline" is not about the weakest towns before it)."""
    sents = retriever.sentences
    i = retriever.sentence_pos.get((span.source, span.start))
    if i and sents[i - 1].source == span.source and continues(span.text):
        return sents[i - 1].text + " " + span.text
    return span.text


def continues(text: str) -> bool:
    """``text`` goes on from the sentence before it: it does not open on a turn to another topic
    ("Meanwhile, …", "By contrast, …"), or it refers back all the same ("By contrast, this amount …").

    >>> continues("In 2024, this amount will reach 62.8 billion."), continues("Local authorities seek investors.")
    (True, True)
    >>> continues("Meanwhile, Balkhash and Karazhal report a decline."), continues("By contrast, this amount fell.")
    (False, True)
    >>> continues("Meanwhile, Karazhal also reports a decline, he said.")
    False
    """
    return not TURNS_TOPIC.match(text) or bool(set(words(text)) & REFERS_BACK)


def until_not_found(raw: str) -> str:
    r"""A draft that writes lines and only then says it found nothing: the lines before that.

    >>> until_not_found("18.5 - 15 = 3.5\nNOT IN DOCUMENT"), until_not_found("NOT IN DOCUMENT")
    ('18.5 - 15 = 3.5', 'NOT IN DOCUMENT')
    """
    lines = raw.strip().splitlines()
    at = next((i for i, line in enumerate(lines) if NOT_FOUND.search(line)), None)
    return "\n".join(lines[:at]).strip() if at else raw


def lacks_names(question: str, answer: str) -> bool:
    """The question asks for names and the answer gives none it did not already have.

    >>> lacks_names("What are the names of the idle projects?", "Three projects stand idle. [1]")
    True
    >>> lacks_names("What is the project called?", "It is called Altay Steel. [1]")
    False
    """
    if not ASKS_NAMES.search(question):
        return False
    have = {w.lower() for w in re.findall(r"[^\W\d_]+", question)}
    names = {w for w in re.findall(r"\b[A-Z][a-z]{2,}\b", answer) if w.lower() not in have}
    return not {w for w in names if w.lower() not in STOPWORDS and w.lower() not in NUMBER_WORDS}


def with_path(span: Span) -> str:
    """The sentence after all its section headings (a changelog's "Removed" under "[5.2.1]").

    >>> with_path(Span("a.md", 0, 9, "Drop 3.9.", "Guide", ("[5.2.1] - 2026-03-06", "Removed")))
    '[5.2.1] - 2026-03-06 Removed Drop 3.9.'
    """
    return " ".join([*span.section, span.text])


def holds(*spans: Span) -> set[str]:
    """The numbers, words and terms of the spans (with their section headings), as ``support_set`` counts them."""
    return set().union(*({*numbers_in(t), *words(t), *terms(t)} for t in map(with_path, spans)))


def said_beyond(answer: str, question: str) -> set[str]:
    """The answer's numbers and terms that the question does not already have (generic words aside).

    >>> sorted(said_beyond("Section 4 sets three conditions. [1]", "What conditions does section 4 set?"))
    ['3']
    """
    body = MARKER.sub("", answer)
    return (numbers_in(body) | set(terms(body))) - numbers_in(question) - set(terms(question)) - GENERIC_TERMS


def with_section(span: Span) -> str:
    """The sentence with its deepest section heading before it, when it has one.

    >>> with_section(Span("a.txt", 0, 9, "It ends.", "Guide", ("8. Termination.",)))
    '8. Termination. It ends.'
    """
    return f"{span.section[-1]} {span.text}" if span.section else span.text


def usable(span: Span) -> bool:
    """A sentence may support an answer unless it addresses the assistant (documents are data)."""
    return not INSTRUCTION.search(span.text)


def disagreement(part: Part, gathered: Gathered, retriever: Retriever, share: float = 0.75) -> Accept | None:
    """When sentences from two or more sources, each about the question, give different figures
    for it: an answer that says so and cites each. None when the sources agree or only one speaks."""
    asked = numbers_in(part.text)
    best: dict[str, tuple[Span, str]] = {}
    for e in gathered.evidence:
        s = e.span
        if s.source in best or relevance(in_context(retriever, s), part.text) < share:
            continue
        figure = _figure(s.text, part.text, asked)
        if figure:
            best[s.source] = (s, figure)
    figures = {numbers_in(f).pop() if numbers_in(f) else f for _, f in best.values()}
    if len(best) < 2 or len(figures) < 2:
        return None
    spans = [s for s, _ in best.values()]
    cites = verified([Citation.of(s) for s in spans], retriever.texts)
    if len(cites) != len(spans):
        return None
    said = "; ".join(f"{s.source} says {f} [{i}]" for i, (s, f) in enumerate(best.values(), 1))
    return Accept(f"The documents disagree: {said}.", tuple(cites), "extractive")


def _figure(sentence: str, question: str, asked: set[str]) -> str:
    """The number in ``sentence`` with the words after it that best match the question, e.g. "three projects stand idle"."""
    toks = re.findall(r"[\w.,%]+", sentence)
    best, best_score = "", 0.0
    for i, t in enumerate(toks):
        n = numbers_in(t)
        if not n or n & asked or YEAR.fullmatch(next(iter(n))):
            continue
        for length in range(2, 7):  # the shortest run of words after it that matches best
            phrase = " ".join(toks[i : i + length]).rstrip(".,")
            score = relevance(phrase, question)
            if score > best_score:
                best, best_score = phrase, score
    return best


def markers(n: int) -> str:
    """Citation markers for ``n`` spans.

    >>> markers(2)
    '[1][2]'
    """
    return "".join(f"[{i}]" for i in range(1, n + 1))


def echo_only(focus: str, body: str, kept: list[Span]) -> Span | None:
    """A cited span from another document than every span holding what the answer says beyond
    the question, cited only for the question's own words ("Where does Ann Lee work today?":
    "Ann Lee works today as a hash library" citing a licence's "covered work"); None if none."""
    need = said_beyond(body, focus)
    saying = {c.source for c in kept if holds(c) & need}
    return next((c for c in kept if need and saying and c.source not in saying), None)


def widened(retriever: Retriever, part: Part, gathered: Gathered, k: int = 12) -> list[Span]:
    """More sentences of the retrieved passages than the evidence, best first (operands of a
    calculation may sit in a sentence ranked below the best few); sentences of prose only (a
    "date 2024-04-02" line holds no figure: its "04" is no 4)."""
    found = retriever.evidence(part.text, list(gathered.hits), k)
    return [e.span for e in found if usable(e.span) and prose(e.span.text)]


def read_widening(retriever: Retriever, part: Part, gathered: Gathered, lead: int = 3) -> Iterator[list[Span]]:
    """The evidence sentences in document order, then (lazily, when asked) the widened ones, then
    those with the sentences that go on from them (``followers`` within ``lead`` words)."""
    yield sorted((e.span for e in gathered.evidence if usable(e.span)), key=lambda s: (s.source, s.start))
    wide = widened(retriever, part, gathered)
    yield sorted(wide, key=lambda s: (s.source, s.start))
    more = followers(retriever, wide, lead) if lead else []
    if more:
        yield sorted(wide + more, key=lambda s: (s.source, s.start))


def followers(retriever: Retriever, spans: list[Span], lead: int = 3) -> list[Span]:
    """The sentences right after ``spans`` that refer back to them within their first ``lead``
    words ("These plans include 326 activities" after the sentence naming the plans), not already
    among them: a figure is often given in the sentence after the one that names what it is of.
    """
    sents, found = retriever.sentences, []
    for span in spans:
        i = retriever.sentence_pos.get((span.source, span.start))
        nxt = sents[i + 1] if i is not None and i + 1 < len(sents) else None
        if nxt is None or nxt.source != span.source or nxt in spans or nxt in found or not usable(nxt):
            continue
        if set(words(nxt.text)[:lead]) & REFERS_BACK and prose(nxt.text):
            found.append(nxt)
    return found


def beside_subject(retriever: Retriever, text: str, cited: list[Span], share: float) -> str:
    """``text`` without the words that are the subject of the cited sentences' documents (terms in
    ``share`` of their sentences, ``Retriever.topic_terms``)."""
    subject = set().union(*(retriever.topic_terms(s, share) for s in {c.source for c in cited}))
    return " ".join(w for w in text.split() if not (set(terms(w)) and set(terms(w)) <= subject))


def each_document(retriever: Retriever, part: Part, gathered: Gathered, verdict: Accept) -> Accept:
    """An answer to a question naming several documents cites each of them: for a named
    document it does not cite yet, the evidence sentence of it that best holds the answer's words."""
    named = named_documents(retriever, part)
    cited = {c.source for c in verdict.citations}
    if len(named) < 2 or named <= cited:
        return verdict
    body = MARKER.sub("", verdict.text).strip()
    own = set().union(*(retriever.names[d][0] for d in named))
    ask = " ".join(w for w in part.text.split() if not name_words(w) & own)  # the ask, names aside
    extra = []
    for doc in sorted(named - cited):
        spans = [e.span for e in gathered.evidence if e.span.source == doc and usable(e.span)]
        best = support_set(body, [s.text for s in spans], 1)
        if best and relevant([in_context(retriever, spans[best[0]])], ask):
            extra.append(spans[best[0]])
    more = verified([Citation.of(s) for s in extra], retriever.texts)
    if not more:
        return verdict
    cites = verdict.citations + tuple(more)
    return Accept(f"{body} {markers(len(cites))}", cites, verdict.method)


def operand_spans(
    retriever: Retriever, part: Part, operands: tuple[str, ...], candidates: list[Span], gathered: Gathered | None
) -> list[Span] | Fallback:
    """The sentence of each operand of a calculation: a candidate that holds it, else another prose
    sentence of the passages read that writes it (not a list's count)."""
    spans, wider = [], None
    for o in operands:
        span = next((c for c in candidates if o in counts_in(c.text)), None)
        if span is None and gathered is not None:
            wider = wider if wider is not None else widened(retriever, part, gathered)
            span = next((c for c in wider if o in numbers_in(c.text)), None)
        if span is None:
            return Fallback(f"the calculation uses {o}, which no sentence in the documents holds")
        spans.append(span)
    return spans


def operands_apart(retriever: Retriever, part: Part, operands: tuple[str, ...], chosen: list[Span]) -> str | None:
    """Why the sentences a calculation takes its figures from do not each speak of what the question
    asks; None when they do. Figures joined from two sentences each come from one that mentions a
    term or a year of the question (31.2 billion of a budget is not what the three idle projects
    cost), and a figure of something the question names is said of it in its paragraph, not of a
    list it is one of ("the plans of Altay, …, Ridder" give no figure of Ridder's plan)."""
    contexts = [f"{in_context(retriever, c)} {c.title} {with_path(c)}" for c in chosen]
    paragraphs = [
        f"{paragraph_of(retriever, c)} {c.title} {with_path(c)}" for c in chosen
    ]  # "the country": named above
    if not figure_about_names(" ".join(operands), paragraphs, part.text, retriever.document_words, True):
        return "the figures of the calculation are not said of what the question names"
    wanted = focus_terms(part.text) + YEAR.findall(part.text)
    if len(chosen) > 1 and not all(covers(wanted, c) for c in contexts):
        return "a figure of the calculation comes from a sentence about something else than the question"
    return None


def unsaid(answer: str, read: list[str], question: str) -> tuple[list[str], int]:
    """The answer's own words (``said_beyond``, figures aside) that none of ``read`` mention, and
    how many own words it has: what it claims beyond the sentences it cites.

    >>> unsaid("It is copyleft, so the software stays open.", ["Give recipients a copy of this License."], "Why?")
    (['copyleft', 'software', 'open'], 3)
    """
    have = set(terms(" ".join(read)))
    own = sorted((t for t in said_beyond(answer, question) if not t[0].isdigit()), key=terms(answer).index)
    return [t for t in own if not has_term(t, have)], len(own)


def also_read(
    retriever: Retriever, part: Part, body: str, candidates: list[Span], numbered: tuple[Span, ...]
) -> list[Span]:
    """Sentences the model was shown but neither named nor were evidence, that may still support
    an answer: only when every number of the answer is in the named or evidence sentences, and
    only sentences that are about the question by themselves, with their title and heading
    (document names aside). Retrieval's choice of which sentence gives a figure stands."""
    if not numbers_in(body) <= allowed_numbers([c.text for c in candidates]):
        return []
    names = retriever.document_words
    ask = " ".join(w for w in part.text.split() if not name_words(w) & names) or part.text
    return [
        s for s in numbered if usable(s) and s not in candidates and relevant([f"{s.title} {with_section(s)}"], ask)
    ]


def paragraph_of(retriever: Retriever, span: Span) -> str:
    """The paragraph (text between blank lines) that holds ``span``."""
    text = retriever.texts[span.source]
    start = text.rfind("\n\n", 0, span.start)
    end = text.find("\n\n", span.end)
    return text[start + 2 if start >= 0 else 0 : end if end >= 0 else len(text)]
