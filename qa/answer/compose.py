"""Compose: the verified parts of a question become one answer, citations numbered across parts;
a part the documents do not cover is said to be not covered, and a question in another language
than the documents' gets the checked answer translated back (numbers and names checked again).

>>> not_covered("how much was spent in 2019?")
'The documents do not say how much was spent in 2019.'
>>> renumber("Nine [1] and three [2].", [1, 3])
'Nine [2] and three [4].'
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from qa.cite import MARKER, Citation
from qa.lexicon import LEADING_CONJUNCTION, NAME
from qa.llm import ChatBackend
from qa.text import NUMBER_WORDS, numbers_in

from .prompt import translate_messages
from .types import REFUSAL, Accept, Gathered, Part, Refuse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartOutcome:
    part: Part
    gathered: Gathered
    verdict: Accept | Refuse
    tokens: int = 0


@dataclass(frozen=True)
class Composed:
    text: str
    citations: tuple[Citation, ...]
    method: str  # llm | extractive | refused
    refusal_reason: str


def not_covered(part_text: str) -> str:
    """The sentence that says the documents do not answer one part of a question."""
    ask = LEADING_CONJUNCTION.sub("", part_text).strip().rstrip("?.! ")
    return f"The documents do not say {ask[:1].lower() + ask[1:]}."


def renumber(text: str, where: list[int]) -> str:
    """Replace each local marker [i] by [where[i-1] + 1] (0-based global positions)."""
    return MARKER.sub(lambda m: f"[{where[int(m.group(1)) - 1] + 1}]", text)


def compose(outcomes: list[PartOutcome]) -> Composed:
    """One answer from the parts, in the order asked; a refusal only when no part is answered."""
    accepted = [o.verdict for o in outcomes if isinstance(o.verdict, Accept)]
    reasons = [o.verdict.reason for o in outcomes if isinstance(o.verdict, Refuse)]
    if not accepted:
        return Composed(REFUSAL, (), "refused", "; ".join(dict.fromkeys(reasons)))
    if len(outcomes) == 1:
        a = accepted[0]
        return Composed(a.text, a.citations, a.method, "")
    cites: list[Citation] = []
    sentences = []
    for o in outcomes:
        if isinstance(o.verdict, Refuse):
            name = o.part.document_name
            sentences.append(f"{name} does not say." if name else not_covered(o.part.asked or o.part.text))
            continue
        where = []
        for c in o.verdict.citations:
            if c not in cites:
                cites.append(c)
            where.append(cites.index(c))
        said = renumber(o.verdict.text, where)
        said = f"{o.part.document_name}: {said}" if o.part.document else said
        if said not in sentences:  # two asks the same sentence answers: said once
            sentences.append(said)
    method = "llm" if any(a.method == "llm" for a in accepted) else "extractive"
    return Composed(" ".join(sentences), tuple(cites), method, "; ".join(dict.fromkeys(reasons)))


def _digits(text: str) -> str:
    """Number words as digits, so a translation keeps them checkable ("Three" -> "3")."""
    return re.sub(r"[^\W\d_]+", lambda m: NUMBER_WORDS.get(m.group().lower(), m.group()), text)


def _numbers(text: str) -> set[str]:
    """The numbers of ``text`` as another language writes them: "18,5" is 18.5 and "10 000" (a
    space, no-break or narrow no-break space between groups of three) is 10,000.

    >>> sorted(_numbers("10 000 рабочих мест, 18,5 трлн")) == sorted(_numbers("10,000 jobs, 18.5 trillion"))
    True
    """
    text = re.sub(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)", lambda m: re.sub(r"\D", "", m.group()), text)
    return numbers_in(re.sub(r"(\d),(\d{1,2})(?!\d)", r"\1.\2", text))


def _names_kept(english: str, said: str) -> bool:
    """The translation adds no Latin-script name and keeps every name of the answer as written (a
    model that spells a name in another script may misspell it, and that cannot be checked).

    >>> _names_kept("It was Nurlan Baibazarov.", "Это был Nurlan Baibazarov."), _names_kept("It was Nurlan Baibazarov.", "Это был Нурлан Байабарабов.")
    (True, False)
    """
    theirs, mine = {m.group() for m in NAME.finditer(said)}, {m.group() for m in NAME.finditer(english)}
    return theirs <= mine | set(english.split()) and all(re.search(rf"\b{re.escape(n)}\b", said) for n in mine)


class Translator:
    """Translates a checked answer into the question's language, segment by segment; a translation
    that loses or adds a number, a marker or a Latin-script name is not used."""

    def __init__(self, backend: ChatBackend | None) -> None:
        self.backend = backend

    def back(self, text: str, language: str) -> str:
        """``text`` in ``language``, or ``text`` itself when the translation fails a check."""
        if self.backend is None:
            return text
        pieces = re.split(r"((?:\s*\[\d+\])+)", text)  # text, markers, text, markers, ...
        out = []
        for i, piece in enumerate(pieces):
            if i % 2 or not piece.strip():
                out.append(piece)
                continue
            done = self._one(piece, language)
            if done is None:
                return text
            out.append(piece[: len(piece) - len(piece.lstrip())] + done)
        return "".join(out)

    def _one(self, sentence: str, language: str) -> str | None:
        english = _digits(sentence.strip())
        try:
            said = self.backend.complete(translate_messages(english, language), 160).strip()  # type: ignore[union-attr]
        except Exception as exc:  # the English answer is checked: keep it
            log.warning("translating the answer failed (%s); answering in English", exc)
            return None
        said = (said.splitlines() or [""])[0].strip().strip('"')
        if not said or _numbers(said) != _numbers(english) or MARKER.search(said) or not _names_kept(english, said):
            log.info("translation %r of %r failed its checks; answering in English", said, english)
            return None
        return said
