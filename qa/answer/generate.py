"""Generate: show the model the documents (or the evidence and its neighbours) and stream its draft.

The draft is never shown to the user: it goes to the verifier.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

from qa.documents import Span
from qa.llm import ChatBackend, Message
from qa.retrieve import Evidence, Retriever, render

from .prompt import INSTRUCTIONS, calculation_prompt, question_prompt, system_prompt
from .sections import section_answer
from .types import Accept, Draft, Gathered, Part

log = logging.getLogger(__name__)


class Generator:
    """Streams the model's draft for one part; yields text pieces, then the ``Draft``."""

    def __init__(
        self,
        retriever: Retriever,
        backend: ChatBackend | None,
        max_tokens: int = 96,
        context_chars: int = 6000,
        evidence_chars: int = 800,
        evidence_after: bool = False,
    ) -> None:
        self.retriever, self.backend = retriever, backend
        self.max_tokens, self.context_chars, self.evidence_chars = max_tokens, context_chars, evidence_chars
        self.evidence_after = evidence_after  # a per-question block goes after the (cached) instructions

    def context(self, evidence: list[Evidence] | tuple[Evidence, ...], documents: int = 1) -> list[Span]:
        """The sentences the model sees, in document order: the whole corpus when it fits (a stable
        prefix the model server can cache), else the evidence, its headings and neighbours up to
        ``evidence_chars`` for each of the ``documents`` a question compares (``Retriever.context``,
        in a stable order). A block that changes with the question is read anew each time, so it
        is kept small: prefill is the cost on a CPU."""
        fits = self.retriever.corpus_chars <= self.context_chars
        budget = self.context_chars if fits else self.evidence_chars * max(1, documents)
        return self.retriever.context(list(evidence), budget)

    def messages(self, part: Part, numbered: list[Span], history: tuple[Message, ...] = ()) -> list[Message]:
        """System prompt with the sentences, the last turns, then this part's question. With
        ``evidence_after`` and a corpus that does not fit, the system message is the instructions
        alone (the same for every question, so the model server keeps it cached) and the
        evidence block goes into the question's turn."""
        after = self.evidence_after and self.retriever.corpus_chars > self.context_chars
        system = INSTRUCTIONS if after else system_prompt(numbered)
        msgs: list[Message] = [{"role": "system", "content": system}]
        msgs += list(history[-4:])
        last_user = next((m["content"] for m in reversed(history) if m["role"] == "user"), None)
        shown = part if part.context != last_user else replace(part, context="")
        asked = question_prompt(shown)
        if after:
            asked = f"<documents>\n{render(list(numbered))}\n</documents>\n\n{asked}"
        msgs.append({"role": "user", "content": asked})
        return msgs

    def generate(self, part: Part, gathered: Gathered, history: tuple[Message, ...] = ()) -> Iterator[str | Draft]:
        """Yield the draft's pieces as they come (for progress only), then the whole ``Draft``."""
        if self.backend is None:
            raise RuntimeError("Generator needs a chat backend; without one the chain answers extractively")
        if isinstance(section_answer(part, gathered, self.retriever), Accept):
            yield Draft("")  # a section's heading is answered in code (the verifier): no model call
            return
        numbered = self.context(gathered.evidence, len(self.retriever.named(part.text)))
        pieces: list[str] = []
        for piece in self.backend.stream(self.messages(part, numbered, history), self.max_tokens):
            pieces.append(piece)
            yield piece
        raw = "".join(pieces).strip()
        log.info("model said: %r", raw)
        yield Draft(raw, tuple(numbered), self.backend.tokens_generated)

    def calculate(self, part: Part, gathered: Gathered) -> Draft:
        """Ask only for the calculation that answers an arithmetic part (the code will redo it)."""
        if self.backend is None:
            raise RuntimeError("Generator needs a chat backend")
        numbered = self.context(gathered.evidence)
        msgs: list[Message] = [{"role": "system", "content": system_prompt(numbered)}]
        msgs.append({"role": "user", "content": calculation_prompt(part)})
        raw = self.backend.complete(msgs, 48).strip()
        log.info("model's calculation: %r", raw)
        return Draft(raw, tuple(numbered), self.backend.tokens_generated)

    def warm_up(self) -> str | None:
        """Send the stable prompt prefix once, so the model server caches it. Returns how: "computed",
        "restored" (from the cache an earlier start saved), or None (not worth it)."""
        r = self.retriever
        if self.backend is None or r.corpus_chars > self.context_chars or not r.sentences:
            return None
        msgs: list[Message] = [{"role": "system", "content": system_prompt(self.context([]))}]
        return self.backend.prime(msgs + [{"role": "user", "content": "Question: ?"}])
