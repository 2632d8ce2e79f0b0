"""Rivals: a neighbouring sentence that gives another figure of the same kind as the answer's.

Legal and technical texts write parallel clauses. MPL 2.0 §8 reinstates your rights "prior to 60
days after You have come back into compliance" and, in the next sentence, "prior to 30 days after
Your receipt of the notice" when it is the first notice. Both sentences hold the question's words,
so the lexical checks accept whichever one the model copied. When a cited sentence that gives the
answer's figure has such a rival within ``window`` sentences of its document, the model is asked
(yes or no) of each whether it answers the question, and a rival it prefers by more than
``margin`` becomes the answer: its sentence, cited.

>>> sorted(measures("You have 60 days, then 2 days and 5 % of 41 projects from 2019 to 2024."))
[('2', 'day'), ('41', 'project'), ('5', '%'), ('60', 'day')]
>>> a = Span("d", 0, 30, "Cure within 60 days after you comply.")
>>> b = Span("d", 31, 70, "Cure within 30 days after a first notice.")
>>> c = Span("d", 71, 90, "It has 9 sections.")
>>> [s.text for s in rivals("You have 60 days.", "How long do I have?", [a], lambda source: [a, b, c], 2)]
['Cure within 30 days after a first notice.']
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from qa.cite import Citation
from qa.documents import Span
from qa.lexicon import FIGURE_UNIT, YEAR
from qa.text import STOPWORDS, numbers_in, stem

log = logging.getLogger(__name__)


def measures(text: str) -> set[tuple[str, str]]:
    """(figure, stemmed word after it) for each figure that counts something; years and figures
    followed by a stopword ("2019 to") are left out."""
    found = set()
    for number, unit in FIGURE_UNIT.findall(text):
        word = unit.lower()
        if YEAR.fullmatch(number) or word in STOPWORDS:
            continue
        found.add((number.replace(",", ""), word if word == "%" else stem(word)))
    return found


def rivals(
    answer: str, question: str, cited: list[Span], sentences_of: Callable[[str], list[Span]], window: int
) -> list[Span]:
    """Sentences within ``window`` of a cited one (a sentence of ``sentences_of`` its document) that
    holds the answer's figure (one the question does not write), which give another figure of that
    kind and none of the answer's."""
    said = {(n, u) for n, u in measures(answer) if n not in numbers_in(question)}
    found: list[Span] = []
    for span in cited:
        units = {u for _, u in measures(span.text) & said}
        if not units:
            continue
        doc = sentences_of(span.source)
        if span not in doc:
            continue
        at = doc.index(span)
        for other in doc[max(0, at - window) : at + window + 1]:
            theirs = {(n, u) for n, u in measures(other.text) if u in units}
            if other != span and theirs and not theirs & said and other not in found:
                found.append(other)
    return found


def sentence_of(citation: Citation, sentences: list[Span]) -> Span | None:
    """The document sentence that holds the start of ``citation``."""
    return next((s for s in sentences if s.start <= citation.start < s.end), None)


def preferred(
    question: str,
    answer: str,
    citations: tuple[Citation, ...],
    sentences_of: Callable[[str], list[Span]],
    yes: Callable[[str, list[str]], float | None],
    window: int,
    margin: float,
) -> Span | None:
    """The rival sentence the model prefers to the cited ones by more than ``margin`` (None: keep
    the answer). ``yes(question, sentences)`` is the model's probability that they answer it, or
    None when it could not be asked."""
    cited = [s for c in citations if (s := sentence_of(c, sentences_of(c.source))) is not None]
    others = rivals(answer, question, cited, sentences_of, window)
    if not others:
        return None
    mine = yes(question, [c.quote for c in citations])
    if mine is None:
        return None
    best, best_p = None, mine + margin
    for other in others:
        p = yes(question, [other.text])
        log.info("rival %r: P(yes) %s against the cited %.2f", other.text[:80], p if p is None else round(p, 2), mine)
        if p is not None and p > best_p:
            best, best_p = other, p
    return best
