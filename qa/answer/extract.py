"""Extract: without a model (or when its answer fails the checks), the best evidence sentence
that is about the question, cited; a refusal when none is."""

from __future__ import annotations

from qa.check import beyond_names, prose, relevance
from qa.cite import Citation, verified
from qa.documents import Span
from qa.grounding import figure_about_names, gives_asked_kind, gives_kind_said, names_of_kind, words_about_names
from qa.lexicon import ASKS_NUMBER, MARKUP
from qa.retrieve import Retriever
from qa.structure import flat, unframed
from qa.text import numbers_in

from .gather import defines, quoted_terms
from .sections import opening, section_answer
from .spans import in_context, is_heading, lacks_names, named_documents, usable
from .types import Accept, Gathered, Part, Refuse


class Extractor:
    def __init__(self, retriever: Retriever, min_share: float = 0.5) -> None:
        self.retriever, self.min_share = retriever, min_share
        self.define_bonus = 0.5  # Settings.define_bonus: a quoted term's definition wins over its mere use

    def extract(self, part: Part, gathered: Gathered) -> Accept | Refuse:
        own = section_answer(part, gathered, self.retriever)
        if own is not None:
            return own
        spans = [self.said(e.span) for e in gathered.evidence[:3]]
        spans = [s for s in dict.fromkeys(spans) if s is not None and usable(s) and prose(s.text)]
        scored = sorted(((self.score(s, part), -i, s) for i, s in enumerate(spans)), reverse=True)
        if not scored or scored[0][0] < self.min_share:
            return Refuse("no sentence in the documents is about the question")
        best = scored[0][2]
        if ASKS_NUMBER.match(part.text) and not numbers_in(MARKUP.sub(" ", best.text)):
            return Refuse("no sentence about the question gives the number it asks for")
        if not gives_asked_kind(part.text, best.text):
            return Refuse("no sentence about the question gives the date or number it asks for")
        if why := gives_kind_said(part.text, best.text, in_context(self.retriever, best)):
            return Refuse(why)
        if lacks_names(part.text, best.text):
            return Refuse("no sentence in the documents gives the names asked for")
        if not beyond_names(in_context(self.retriever, best), part.text):
            return Refuse("the sentences about the question only name what it asks about")
        names = self.retriever.document_words
        ctx = [in_context(self.retriever, best)]
        if not figure_about_names(best.text, ctx, part.text, names, part.arithmetic):
            return Refuse("the sentence with a figure is not about what the question names")
        if not words_about_names(best.text, [best.text], ctx, part.text, names):
            return Refuse("the sentence about the question is not about what it names")
        cites = verified([Citation.of(best)], self.retriever.texts)
        if not cites:
            return Refuse("no citation could be checked against its source")
        return Accept(f"{flat(unframed(best.text))} [1]", tuple(cites), "extractive")  # the quote keeps the wraps

    def said(self, span: Span) -> Span | None:
        """``span``, or for a section's heading the section's first sentence (a heading says nothing)."""
        return opening(self.retriever, span) if is_heading(span) else span

    def score(self, span: Span, part: Part) -> float:
        """Share of the question's terms the span (with the sentence before it) mentions; a span
        naming the question's own figure or year (not a named document's version) gains 1, one
        defining a term it quotes ``define_bonus``, one with a number 0.25 when a number is asked for."""
        ctx = in_context(self.retriever, span)
        share = max(relevance(ctx, part.focus), relevance(ctx, part.text))
        versions = set().union(
            *(self.retriever.names.get(d, ((), ()))[1] for d in named_documents(self.retriever, part))
        )
        if (numbers_in(part.text) - versions) & numbers_in(span.text):  # "MPL 2.0" names, it asks no figure
            share = share + 1.0 if share > 0 else 0.0
        if share > 0 and any(defines(t, span.text) for t in quoted_terms(part.text)):
            share += self.define_bonus  # the definition of a term the question quotes, as the gatherer puts it first
        if share > 0 and names_of_kind(part.text, [span.text]):
            share += self.define_bonus  # "Which agency?": the sentence naming one ("Kazinform News Agency")
        return share + (0.25 if ASKS_NUMBER.match(part.text) and numbers_in(span.text) else 0.0)
