"""What ``Answerer.stream`` yields besides the final ``Answer``: progress stages and checked text.

The promise of the product is that nothing unchecked is shown, so a stream carries
``Stage`` events while the answer is being found and written (no draft text), then ``Checked``
pieces of the final, verified answer (their concatenation is a prefix of ``Answer.text``, and all
of them together equal it), then the ``Answer`` itself.

>>> Stage("searching", "searching 3 documents", 12.5).to_dict()
{'stage': 'searching', 'detail': 'searching 3 documents', 'elapsed_ms': 12.5}
>>> [p.text for p in checked_pieces("Three are idle. [1]")]
['Three', ' are', ' idle.', ' [1]']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

STAGES = ("searching", "reading", "writing", "checking")  # in the order a question meets them


@dataclass(frozen=True)
class Stage:
    name: str  # one of STAGES
    detail: str  # plain words for the user, e.g. "reading 4 passages"
    elapsed_ms: float  # since the question arrived

    def to_dict(self) -> dict:
        return {"stage": self.name, "detail": self.detail, "elapsed_ms": self.elapsed_ms}


@dataclass(frozen=True)
class Checked:
    text: str  # a piece of the verified answer text


def checked_pieces(text: str) -> Iterator[Checked]:
    """The verified answer in word-sized pieces (a word with the space before it)."""
    for i, word in enumerate(text.split(" ")):
        yield Checked(word if i == 0 else " " + word)
