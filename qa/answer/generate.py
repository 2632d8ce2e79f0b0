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
from .spans import named_documents
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

    def prefix_chars(self) -> int:
        """Characters of the corpus, in document order, that go into the system message (the
        prefix the model server caches): all of a corpus that fits ``context_chars``, then one
        character less for each character over, none from twice that size on. So there is no step
        at ``context_chars``: a corpus a sentence larger is still read from a cached prefix, with a
        small fresh block for the evidence outside it (issue 7 §4).

        >>> g = Generator.__new__(Generator); g.context_chars = 6000
        >>> g.retriever = type("R", (), {"corpus_chars": 6500})(); g.prefix_chars()
        5500
        """
        over = max(0, self.retriever.corpus_chars - self.context_chars)
        return max(0, self.context_chars - over)

    def blocks(
        self, evidence: list[Evidence] | tuple[Evidence, ...], documents: int = 1
    ) -> tuple[list[Span], list[Span]]:
        """(prefix, fresh): the sentences the model sees, numbered in this order. A corpus that fits
        is the whole prefix; else the prefix holds its first ``prefix_chars()`` and the fresh block
        the evidence, its headings and neighbours up to ``evidence_chars`` for each of the
        ``documents`` a question compares (``Retriever.context``, in a stable order) that the
        prefix lacks. The fresh block is read anew each time, so it is kept small: prefill is the
        cost on a CPU."""
        r = self.retriever
        if r.corpus_chars <= self.context_chars:
            return r.context(list(evidence), self.context_chars), []
        size = self.prefix_chars()
        prefix = r.context([], size) if size else []
        seen = {(s.source, s.start) for s in prefix}
        budget = self.evidence_chars * max(1, documents)
        fresh = [s for s in r.context(list(evidence), budget) if (s.source, s.start) not in seen]
        return prefix, fresh

    def context(self, evidence: list[Evidence] | tuple[Evidence, ...], documents: int = 1) -> list[Span]:
        """Every sentence the model sees, as numbered: the prefix, then the fresh block."""
        prefix, fresh = self.blocks(evidence, documents)
        return prefix + fresh

    def messages(
        self,
        part: Part,
        prefix: list[Span],
        history: tuple[Message, ...] = (),
        fresh: list[Span] | None = None,
        asked: str | None = None,
    ) -> list[Message]:
        """System prompt with the ``prefix`` sentences, the last turns, then this part's question,
        after the ``fresh`` block (numbered on from the prefix) when there is one. With
        ``evidence_after`` and a corpus that does not fit, a fresh block always goes into the
        question's turn, so the system message is the same for every question. ``asked``: the
        question's text (default ``question_prompt``)."""
        fresh = list(fresh or [])
        if fresh and not prefix and not self.evidence_after:
            prefix, fresh = fresh, []  # the evidence alone: in the system message, as before
        system = system_prompt(prefix) if prefix or not fresh else INSTRUCTIONS
        msgs: list[Message] = [{"role": "system", "content": system}]
        msgs += list(history[-4:])
        last_user = next((m["content"] for m in reversed(history) if m["role"] == "user"), None)
        shown = part if part.context != last_user else replace(part, context="")
        asked = asked or question_prompt(shown)
        if fresh:
            asked = f"<documents>\n{render(fresh, start=len(prefix) + 1)}\n</documents>\n\n{asked}"
        msgs.append({"role": "user", "content": asked})
        return msgs

    def generate(self, part: Part, gathered: Gathered, history: tuple[Message, ...] = ()) -> Iterator[str | Draft]:
        """Yield the draft's pieces as they come (for progress only), then the whole ``Draft``."""
        if self.backend is None:
            raise RuntimeError("Generator needs a chat backend; without one the chain answers extractively")
        if isinstance(section_answer(part, gathered, self.retriever), Accept):
            yield Draft("")  # a section's heading is answered in code (the verifier): no model call
            return
        prefix, fresh = self.blocks(gathered.evidence, len(named_documents(self.retriever, part)))
        numbered = prefix + fresh
        pieces: list[str] = []
        for piece in self.backend.stream(self.messages(part, prefix, history, fresh), self.max_tokens):
            pieces.append(piece)
            yield piece
        raw = "".join(pieces).strip()
        log.info("model said: %r", raw)
        yield Draft(raw, tuple(numbered), self.backend.tokens_generated)

    def calculate(self, part: Part, gathered: Gathered) -> Draft:
        """Ask only for the calculation that answers an arithmetic part (the code will redo it)."""
        if self.backend is None:
            raise RuntimeError("Generator needs a chat backend")
        prefix, fresh = self.blocks(gathered.evidence)
        numbered = prefix + fresh
        msgs = self.messages(part, prefix, (), fresh, asked=calculation_prompt(part))
        raw = self.backend.complete(msgs, 48).strip()
        log.info("model's calculation: %r", raw)
        return Draft(raw, tuple(numbered), self.backend.tokens_generated)

    def warm_up(self) -> str | None:
        """Send the stable prompt prefix once, so the model server caches it. Returns how: "computed",
        "restored" (from the cache an earlier start saved), or None (not worth it)."""
        r = self.retriever
        if self.backend is None or not self.prefix_chars() or not r.sentences:
            return None
        msgs: list[Message] = [{"role": "system", "content": system_prompt(self.blocks([])[0])}]
        return self.backend.prime(msgs + [{"role": "user", "content": "Question: ?"}])
