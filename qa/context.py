"""The model's context block: which sentences of the corpus the model is shown for a question,
within a character budget, and how they are rendered (numbered, each document named).

``ContextBlock`` is mixed into ``qa.retrieve.Retriever``: it reads the retriever's ``sentences``,
``sentence_pos``, ``corpus_chars``, ``flat_chars`` and ``lex``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from qa.documents import Span
from qa.lexicon import HTML_TAG, MD_LINK
from qa.structure import flat, unframed

if TYPE_CHECKING:
    from qa.retrieve import Evidence

FILL_DOCS = 64  # the context's last filler (sentences in document order) looks at this many documents
FILL_WORDS = 3  # a neighbour or filler sentence of a block smaller than the corpus needs this many words
_LETTER_WORDS = re.compile(r"[^\W\d_]{2,}")


class _Block:
    """Sentence positions chosen for a context block, and the characters they take as the model
    reads them (``readable``), one separator between each two."""

    def __init__(self, sentences, budget_chars: int) -> None:
        self.sentences, self.budget, self.chosen, self.used = sentences, budget_chars, set(), 0

    def take(self, i: int) -> bool:
        """Add sentence ``i`` if it is not in yet and fits; whether it was added."""
        cost = len(readable(self.sentences[i].text)) + (1 if self.chosen else 0)
        if i in self.chosen or self.used + cost > self.budget:
            return False
        self.chosen.add(i)
        self.used += cost
        return True


class ContextBlock:
    """The context-building half of the retriever."""

    def context(self, evidence: list[Evidence], budget_chars: int) -> list[Span]:
        """The sentences to show the model, in document order, within ``budget_chars``.

        Filled by priority: the best evidence sentence and the sentences beside it in its section,
        the other evidence sentences that fit, then their sections' headings (and the
        sentence that one ending in a colon introduces), then neighbours of the shown evidence at
        distance 1, 2, ... in its document, then every other sentence in document order. The
        block is built the same way for every corpus size: one that fits whole comes out whole
        (a stable prefix a model server can cache), one a character larger loses only a sentence
        or so - no cliff (the last filler looks at the first ``FILL_DOCS`` documents only, so a big
        corpus is not read whole per question). The sentences' characters as the model reads them
        (``readable``: whitespace collapsed, link targets out) and one separator between each two count against the budget, so a
        corpus of ``budget_chars`` or fewer characters always fits. In a block smaller than the
        corpus, a neighbour or filler of fewer than ``FILL_WORDS`` words (a "*", a lone name) comes
        last, and only from a document already in the block: the room goes to sentences that say
        something.
        """
        block = _Block(self.sentences, budget_chars)
        whole = self.corpus_chars <= budget_chars or (
            self.corpus_chars <= 4 * budget_chars and self.flat_chars <= budget_chars
        )  # the model reads wraps collapsed: a corpus may fit once its indents are gone
        shown = self._evidence_first(block, evidence)
        short = []  # a stray "*" or a lone word tells the model little: it goes last, beside sentences shown
        for j in self._fill(shown):
            if block.used >= budget_chars:  # full: no sentence fits any more
                break
            if whole or len(_LETTER_WORDS.findall(self.sentences[j].text)) >= FILL_WORDS:
                block.take(j)
            else:
                short.append(j)
        docs = {self.sentences[i].source for i in block.chosen}
        for j in short:
            if self.sentences[j].source in docs:
                block.take(j)
        return [self.sentences[i] for i in sorted(block.chosen)]

    def _evidence_first(self, block: _Block, evidence: list[Evidence]) -> list[int]:
        """Take the best evidence sentence and its paragraph, the other evidence sentences that fit,
        then their headings and what a sentence ending in ":" introduces; the evidence shown."""
        seeds = [i for i in dict.fromkeys(self.sentence_pos.get((e.span.source, e.span.start)) for e in evidence)]
        seeds = [i for i in seeds if i is not None]
        shown = [i for i in seeds[:1] if block.take(i)]
        for j in self._beside(shown[0]) if shown else ():  # the best sentence's own paragraph first
            block.take(j)
        shown += [i for i in seeds[1:] if block.take(i)]
        for i in shown:
            for j in (self._heading_of(i), self._introduced(i)):
                if j is not None:
                    block.take(j)
        return shown

    def _fill(self, seeds: list[int]) -> Iterator[int]:
        """Filler by priority: the neighbours of the shown evidence at distance 1, 2, ... in its
        document, then every sentence in document order (of the first ``FILL_DOCS`` documents)."""
        sents = self.sentences
        for d in range(1, len(sents) if seeds else 0):
            ring = [
                j for i in seeds for j in (i - d, i + d) if 0 <= j < len(sents) and sents[j].source == sents[i].source
            ]
            if not ring:
                break
            yield from ring
        yield from range(int(self.lex.first_sentence[min(FILL_DOCS, len(self.lex.sources))]))

    def _beside(self, i: int) -> list[int]:
        """The sentences just before and after sentence ``i`` in the same section (a "Moreover, ..."
        or "Any attempt otherwise ..." that finishes what it says)."""
        sents = self.sentences
        return [
            j
            for j in (i - 1, i + 1)
            if 0 <= j < len(sents) and sents[j].source == sents[i].source and sents[j].section == sents[i].section
        ]

    def _introduced(self, i: int) -> int | None:
        """The sentence after sentence ``i`` when ``i`` ends in a colon (it introduces what follows)."""
        sents = self.sentences
        if sents[i].text.rstrip().endswith(":") and i + 1 < len(sents) and sents[i + 1].source == sents[i].source:
            return i + 1
        return None

    def _heading_of(self, i: int) -> int | None:
        """The sentence that opens sentence ``i``'s deepest section (its heading), if any."""
        s = self.sentences[i]
        if not s.section:
            return None
        j = i
        while j > 0 and self.sentences[j - 1].source == s.source and self.sentences[j - 1].section == s.section:
            j -= 1
        return j if j != i else None


def readable(text: str) -> str:
    """A sentence as the model reads it: whitespace collapsed, Markdown links reduced to their
    text, HTML tags left out (their text kept).

    >>> readable("With [Bloom filter](https://en.wikipedia.org/wiki/Bloom_filter),\\n  and ![logo](a.png).")
    'With Bloom filter, and logo.'
    >>> readable('<p align="center"><em>Typer, build great <abbr title="command line">CLIs</abbr>.</em>')
    'Typer, build great CLIs.'
    >>> readable("<signature of Ty Coon>, 1 April 1989")  # angle brackets around words are no HTML
    '<signature of Ty Coon>, 1 April 1989'
    """
    return flat(HTML_TAG.sub("", MD_LINK.sub(r"\1", unframed(text))))


def render(spans: list[Span], start: int = 1) -> str:
    """The numbered sentences for a prompt (from ``start``), ``readable``, with a line naming
    each document (its title and file) where its sentences begin.

    >>> print(render([Span("a.txt", 0, 3, "Hi\\n there.", "A Guide", ("1. Intro",))]))
    (A Guide — a.txt)
    [1] Hi there.
    """
    lines, current = [], None
    for n, s in enumerate(spans, start):
        if s.source != current:
            current = s.source
            lines.append(f"({s.title} — {s.source})" if s.title else f"({s.source})")
        lines.append(f"[{n}] {readable(s.text)}")
    return "\n".join(lines)
