"""The values that travel between the stages of the answer chain (all frozen).

plan -> ``Plan`` of ``Part``s; gather -> ``Gathered``; generate -> ``Draft``; verify ->
``Accept | Fallback | Refuse``; the chain turns them into one ``Answer``.

>>> Refuse("no sentence in the documents mentions GDP").reason
'no sentence in the documents mentions GDP'
>>> Part("how many operate", context="How many anchor projects are there").focus
'How many anchor projects are there\\nhow many operate'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from qa.check import Judgement
from qa.cite import Citation
from qa.documents import Span
from qa.llm import Message
from qa.retrieve import Evidence, Hit

REFUSAL = "The documents do not say."


@dataclass(frozen=True)
class Part:
    """One ask of a question, in the documents' language, typo-corrected."""

    text: str
    context: str = ""  # the question it leans on: the previous turn's, or the ask before it
    arithmetic: bool = False  # asks for a figure that may have to be computed
    asked: str = ""  # the ask as the user wrote it (before typo correction), for "the documents do not say …"
    original: str = ""  # the question in the user's language, when it had to be translated
    reworded_from: str = ""  # the ask in the user's words, when it is asked in the documents' words instead
    document: str = ""  # for a comparison asked one document at a time: the document this part is about

    @property
    def document_name(self) -> str:
        """The file name of ``document`` ("" for a part about no one document).

        >>> Part("How long?", document="evals/docs/mpl-2.0.txt").document_name
        'mpl-2.0.txt'
        """
        return PurePosixPath(self.document).name if self.document else ""

    @property
    def focus(self) -> str:
        """What an answer must be about: the ask, with its context on the line before."""
        return f"{self.context}\n{self.text}" if self.context else self.text


@dataclass(frozen=True)
class Plan:
    question: str  # as asked
    parts: tuple[Part, ...]
    language: str | None = None  # the question's language when it is not the documents'
    history: tuple[Message, ...] = ()  # earlier turns, cleaned


@dataclass(frozen=True)
class Gathered:
    hits: tuple[Hit, ...]
    evidence: tuple[Evidence, ...]
    judgement: Judgement


@dataclass(frozen=True)
class Draft:
    """What the model wrote (never shown), and the numbered sentences it was shown."""

    raw: str
    numbered: tuple[Span, ...] = ()
    tokens: int = 0


@dataclass(frozen=True)
class Accept:
    text: str  # the answer, with [n] markers numbering ``citations`` from 1
    citations: tuple[Citation, ...]
    method: str = "llm"  # llm | extractive


@dataclass(frozen=True)
class Fallback:
    reason: str  # why the model's answer was not used; an extractive answer is tried instead


@dataclass(frozen=True)
class Refuse:
    reason: str  # in plain words, e.g. "no sentence in the documents mentions GDP"


Verdict = Accept | Fallback | Refuse


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...]
    model: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    tokens: int = 0
    method: str = "llm"  # llm | extractive | refused
    hits: tuple[Hit, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    judgement: Judgement | None = None
    refusal_reason: str = ""  # why the documents do not answer (all of it, or some parts)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "model": self.model,
            "method": self.method,
            "refusal_reason": self.refusal_reason,
            "timings_ms": self.timings_ms,
        }
