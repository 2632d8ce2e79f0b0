"""Verify: a draft becomes ``Accept`` (checked text and citations), ``Fallback`` (try an extractive
answer) or ``Refuse``; nothing the model wrote is trusted without a span that holds it.

The model's sentence numbers are hints: the cited spans are the fewest sentences (among those it
named and the evidence) that hold the answer's numbers, names and words. They must support every
number and name, be about the question, and not be text that addresses the assistant. A
calculation is recomputed in code from operands found in the cited spans.
"""

from __future__ import annotations

import logging
import re

from qa.bounds import with_bounds
from qa.check import (
    as_written,
    beyond_names,
    declines,
    echoes,
    focus_terms,
    naming_terms,
    relevant,
    support_set,
    supported,
)
from qa.cite import MARKER, Citation, verified
from qa.documents import Span
from qa.grounding import (
    contradicts,
    figure_about_names,
    figure_of_clause,
    figure_of_measure,
    figure_of_period,
    figures_named,
    gives_asked_kind,
    misquotes,
    name_of_kind,
    reverses,
    words_about_names,
)
from qa.lexicon import COMPARING
from qa.llm import ChatBackend
from qa.retrieve import Retriever

from .arith import parse_expression
from .computed import Computing
from .prompt import INSTRUCTIONS, confirm_messages
from .rivals import preferred
from .sections import asks_structure, section_answer, title_answer
from .spans import (
    also_read,
    beside_subject,
    each_document,
    echo_only,
    holds,
    in_context,
    is_heading,
    lacks_names,
    markers,
    named_documents,
    said_beyond,
    unsaid,
    until_not_found,
    usable,
    with_path,
)
from .types import Accept, Draft, Fallback, Gathered, Part, Refuse, Verdict

log = logging.getLogger(__name__)


class Verifier(Computing):
    """Checks one part's draft against the documents."""

    def __init__(
        self,
        retriever: Retriever,
        echo_words: int = 6,
        about_cosine: float = 1.0,
        backend: ChatBackend | None = None,
        topic_share: float = 0.3,
    ) -> None:
        self.retriever, self.echo_words, self.about_cosine, self.backend = retriever, echo_words, about_cosine, backend
        self.topic_share = topic_share  # a word in this share of a document's sentences is its subject
        # Settings.unsaid_words / unsaid_share / follow_words / strong_coverage / strong_cosine (reasons there)
        self.unsaid_words, self.unsaid_share, self.follow_words = 4, 0.5, 3
        self.strong_coverage, self.strong_cosine = 0.99, 0.5
        self.confirm_yes, self.misquote_words = 0.4, 3  # Settings.confirm_yes / misquote_words
        self.about_share = 0.5  # Settings.about_share
        self.rival = (1, 0.0)  # Settings.rival_window / rival_margin

    def verify(self, part: Part, gathered: Gathered, draft: Draft) -> Verdict:
        own = section_answer(part, gathered, self.retriever)
        if own is not None:  # a section's heading, found in code: the draft is not needed
            return own
        verdict = self._check(part, gathered, draft)
        if isinstance(verdict, Accept):
            verdict = self.preferred(part, each_document(self.retriever, part, gathered, verdict))
        if isinstance(verdict, Accept) and lacks_names(part.text, verdict.text):
            return Refuse("no sentence in the documents gives the names asked for")
        if not isinstance(verdict, Accept) and (block := title_answer(part, gathered, self.retriever)) is not None:
            log.info("the draft failed (%s): answered from the title block", verdict.reason)
            return block
        if isinstance(verdict, Fallback) and gathered.judgement.missing:
            log.info("the draft failed (%s); the question has words the documents lack", verdict.reason)
            confirmed = self.reworded(part, gathered, draft)
            if confirmed is not None:
                return confirmed
            words = ", ".join(as_written(gathered.judgement.missing, part.focus))
            return Refuse(f"no sentence in the documents mentions {words}, and the answer was not supported")
        return verdict

    def reworded(self, part: Part, gathered: Gathered, draft: Draft) -> Accept | None:
        """A question in other words than the documents' (its terms are found nowhere in them), whose
        answer the lexical checks reject only for that: accepted when every number and name of the
        answer is in the sentences it cites and the model confirms that those sentences answer the
        question. None otherwise (the caller refuses)."""
        body = re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", draft.raw)).strip()
        if self.backend is None or not re.search(r"\w", body) or declines(body, [s.text for s in draft.numbered]):
            return None
        if parse_expression(body):  # a calculation is redone in code or not given, never confirmed as words
            return None
        claimed = [draft.numbered[int(n) - 1] for n in MARKER.findall(draft.raw) if 1 <= int(n) <= len(draft.numbered)]
        candidates = [s for s in dict.fromkeys(claimed + [e.span for e in gathered.evidence]) if usable(s)]
        chosen = [candidates[i] for i in support_set(body, [c.text for c in candidates])]
        texts, titles = [with_path(c) for c in chosen], [c.title for c in chosen if c.title]
        if not chosen or not supported(body, texts, part.focus, titles=titles, naming=self.naming(part, chosen)):
            return None
        if echo_only(part.focus, body, chosen) is not None:
            return None
        read = [*(self.in_context(c) for c in chosen), *texts, *titles, self.naming(part, chosen)]
        if (problem := self.ungrounded(part, body, chosen) or self.beyond(part, body, read)) is not None:
            log.info("the reworded answer is not kept: %s", problem)
            return None
        verdict = self._accept(with_bounds(body, [c.text for c in chosen]), chosen)
        if not isinstance(verdict, Accept):
            return None
        verdict = each_document(self.retriever, part, gathered, verdict)  # a comparison is confirmed from each document
        if not self.confirms(part.text, [c.quote for c in verdict.citations]):
            return None
        return self.preferred(part, verdict)

    def confirms(self, question: str, sentences: list[str]) -> bool:
        """The model says (yes or no) that ``sentences`` answer ``question``; False without a model."""
        yes = self.yes(question, sentences)
        shown = "none" if yes is None else f"{yes:.2f}"
        log.info("model confirms %r answer %r: P(yes) %s (needs %.2f)", sentences, question, shown, self.confirm_yes)
        return yes is not None and yes >= self.confirm_yes

    def yes(self, question: str, sentences: list[str]) -> float | None:
        """The model's probability that ``sentences`` answer ``question``; None without a model."""
        if self.backend is None:
            return None
        try:
            return self.backend.yes_probability(confirm_messages(question, sentences))
        except Exception as exc:  # the check could not be made: the answer stays unconfirmed
            log.warning("asking the model whether sentences answer failed: %s", exc)
            return None

    def preferred(self, part: Part, verdict: Accept) -> Accept:
        """``verdict``, or the rival sentence (another figure of the same kind beside the cited one)
        that the model prefers as the answer (``rivals.preferred``)."""
        if self.backend is None or part.document or len({c.source for c in verdict.citations}) > 1:
            return verdict  # a comparison's sides are each checked on their own document
        body, asked = MARKER.sub("", verdict.text).strip(), f"{part.context} {part.text}".strip()  # "of that": of what?
        rival = preferred(asked, body, verdict.citations, self.retriever.document_sentences, self.yes, *self.rival)
        if rival is None:
            return verdict
        log.info("a neighbouring sentence answers %r better: %r", part.text, rival.text)
        chosen = self._accept(rival.text, [rival])
        return chosen if isinstance(chosen, Accept) else verdict

    def _check(self, part: Part, gathered: Gathered, draft: Draft) -> Verdict:
        raw = until_not_found(draft.raw)
        if not raw or declines(raw, [s.text for s in draft.numbered]):
            j = gathered.judgement  # one document of a comparison: the extractive checks decide
            strong = j.coverage >= self.strong_coverage and j.cosine >= self.strong_cosine
            strong = strong or bool(part.document) and j.answerable
            return (
                Fallback("the model found no answer")
                if strong
                else Refuse("the model found no answer in the documents")
            )
        if echoes(raw, INSTRUCTIONS, self.echo_words):
            return Refuse("the answer repeated the instructions instead of the documents")
        claimed = [draft.numbered[int(n) - 1] for n in MARKER.findall(raw) if 1 <= int(n) <= len(draft.numbered)]
        body = re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", raw)).strip()
        if not re.search(r"\w", body):  # only sentence numbers: answer with the sentence it chose
            return self._chosen_sentence(part, claimed)
        quoted = [s for s in draft.numbered if echoes(body, s.text, self.echo_words)]  # its numbers may be off
        candidates = [s for s in dict.fromkeys(claimed + [e.span for e in gathered.evidence] + quoted) if usable(s)]
        computed = self._computation(part, body, candidates, gathered)
        if computed is not None:
            return computed
        verdict = self._supported(part, body, candidates)
        if isinstance(verdict, Fallback):  # the model may have read a name in a sentence it did not name
            seen = self.also_read(part, body, candidates, draft.numbered)
            second = self._supported(part, body, candidates + seen) if seen else verdict
            verdict = second if isinstance(second, Accept) else verdict
        return verdict

    def also_read(self, part: Part, body: str, candidates: list[Span], numbered: tuple[Span, ...]) -> list[Span]:
        return also_read(self.retriever, part, body, candidates, numbered)

    def _chosen_sentence(self, part: Part, claimed: list[Span]) -> Verdict:
        picks = [s for s in claimed if usable(s) and self.about([self.in_context(s)], part.focus)]
        if not picks:
            return Fallback("the sentences the model named are not about the question")
        return self._accept(picks[0].text, [picks[0]])

    def _supported(self, part: Part, body: str, candidates: list[Span]) -> Verdict:
        chosen = [candidates[i] for i in support_set(body, [c.text for c in candidates])]
        turned = [c for c in chosen if reverses(body, [c.text])]
        if turned:  # "grew by 15%" from "15% less": the premise was false, the sentence says which way it went
            return self._accept(turned[0].text, turned[:1])
        problem = self._problem(part, body, chosen)
        if problem is not None:
            return Fallback(problem)
        kept = self.fewest(part, body, chosen)
        if (lone := echo_only(part.focus, body, kept)) is not None:
            return Fallback(f"{lone.source} is cited only for words the answer repeats from the question")
        return self._accept(with_bounds(body, [c.text for c in kept]), kept)

    def fewest(self, part: Part, body: str, chosen: list[Span]) -> list[Span]:
        """``chosen`` without the sentences that add nothing to what the others say of the answer's
        own words (those it does not repeat from the question) and without which it still passes
        every check, the least useful first: a sentence picked only for a word the answer repeats
        from the question, or for the document's own name, is not cited."""
        need = said_beyond(body, part.focus)
        kept = list(chosen)
        for span in sorted(chosen, key=lambda c: len(holds(c) & need)):
            rest = [c for c in kept if c != span]
            if not rest or not need & holds(*kept) <= holds(*rest):
                continue
            if self._problem(part, body, rest) is None:
                kept = rest
        return kept

    def naming(self, part: Part, chosen: list[Span]) -> str:
        """The words and numbers that name the cited documents and those the question names (an
        answer to a comparison cites each of them, ``each_document``)."""
        r = self.retriever
        docs = {c.source for c in chosen} | named_documents(r, part)
        return " ".join(w for d in sorted(docs) for w in sorted(set().union(*r.names.get(d, ((), ())))))

    def _problem(self, part: Part, body: str, chosen: list[Span]) -> str | None:
        """Why ``chosen`` does not support ``body`` as an answer to ``part``; None when it does."""
        spans_ctx = [self.in_context(c) for c in chosen] + [c.title for c in chosen if c.title]  # fmt: skip
        r = self.retriever
        names = r.document_words
        vocab = r.vocabulary | naming_terms(part.focus, names, r.vocabulary)
        texts = [with_path(c) for c in chosen]  # a sentence's section headings are part of what it says
        titles = [c.title for c in chosen if c.title]
        named = named_documents(r, part)
        if chosen and named and not named & {c.source for c in chosen}:  # "Zstandard is … under the Artistic License"
            return "the cited sentences are from another document than the one the question names"
        naming = self.naming(part, chosen)
        if not chosen or not supported(body, texts, part.focus, spans_ctx, vocab, titles, naming, part.text):
            return "a number or name of the answer is not in the sentences it cites"
        if (problem := self.ungrounded(part, body, chosen)) is not None:
            return problem
        if (problem := self.beyond(part, body, [*spans_ctx, *texts, naming])) is not None:
            return problem
        if all(is_heading(c) for c in chosen) and not asks_structure(part.text):
            return "the cited sentences are section headings, which name a topic and say nothing of it"
        if not self.about(spans_ctx, part.focus, chosen) and not r.title_asked(
            part.text, chosen, named_documents(r, part)
        ):
            return "the cited sentences are not about the question"
        return None

    def beyond(self, part: Part, body: str, read: list[str]) -> str | None:
        """Why ``body`` says more than ``read`` (its sentences in context) and the question: "because
        it is a copyleft license", or another sentence's list; None when it does not."""
        extra, own = unsaid(body, read, part.text)
        if len(extra) >= self.unsaid_words and len(extra) > self.unsaid_share * own:
            return f"the answer says what its cited sentences do not ({', '.join(as_written(extra[:4], body))})"
        return None

    def ungrounded(self, part: Part, body: str, chosen: list[Span]) -> str | None:
        """Why ``body`` does not say, of what ``part`` asks about, what ``chosen`` says (qa.grounding);
        None when it does."""
        r = self.retriever
        names = r.document_words
        texts, ctx = [c.text for c in chosen], [self.in_context(c) for c in chosen]
        if contradicts(part.text, body, texts):
            return "the answer says yes where the sentence it cites says no"
        if reverses(body, texts):
            return "the answer says a figure rose where the sentence it cites says it fell, or the reverse"
        if misquotes(body, texts, self.misquote_words):
            return "the answer copies its sentence's words around a figure or name but changes the figure or name"
        if not figure_about_names(body, ctx, part.text, names):
            return "the sentence giving the answer's figure is not about what the question names"
        if not words_about_names(body, texts, ctx, part.text, names):
            return "the sentence giving the answer is not about what the question names"
        if not figures_named(
            part.text, body, [*ctx, *(f"{c.title} {with_path(c)}" for c in chosen), self.naming(part, chosen)]
        ):
            return "the cited sentences do not mention the figure the question names"
        if not figure_of_period(part.text, body, texts):
            return "the sentence giving the answer's figure is about another year than the question names"
        if not figure_of_measure(part.text, body, texts):
            return (
                "the sentence giving the answer's figure is about another measure (32-bit, 128-bit) than the question's"
            )
        if part.document and COMPARING.search(body) and not any(COMPARING.search(t) for t in texts):
            return "one document's answer compares it with another, which its own sentences cannot say"
        if not name_of_kind(part.text, body, texts):
            return "the answer gives another name than the one its sentence gives the kind of thing asked for"
        if not figure_of_clause(part.text, body, texts):
            return "the answer's figure is from a clause of its sentence about another thing than the question asks"
        if not gives_asked_kind(part.text, body):
            return "the answer does not give the kind of thing asked for (a date, a number)"
        return None

    def _accept(self, body: str, spans: list[Span]) -> Verdict:
        cites = verified([Citation.of(s) for s in spans], self.retriever.texts)
        if not cites:
            return Fallback("no citation could be checked against its source")
        return Accept(f"{body} {markers(len(cites))}", tuple(cites), "llm")

    def about(self, spans: list[str], focus: str, cited: list[Span] = ()) -> bool:
        """The spans are about the question (the current one, or it together with the one before):
        they mention half of its terms, or half of those besides the subject of the ``cited``
        sentences' documents ("single-industry towns" in an article about them), or, for a
        paraphrase in other words, one is close to it in meaning (the answer still may not repeat a
        question word the documents never use)."""
        ask = focus.split("\n")[-1]
        if not beyond_names(" ".join(spans), ask):  # a sentence that merely names the entity asked about
            return False
        if relevant(spans, focus) or relevant(spans, ask):
            return True
        rest = beside_subject(self.retriever, ask, cited, self.topic_share)
        if rest != ask and focus_terms(rest) and relevant(spans, rest):
            return True
        return self.close(spans, ask) >= self.about_cosine

    def close(self, spans: list[str], question: str) -> float:
        """The best dense similarity of a span to the question (0 without a dense retriever)."""
        r = self.retriever
        if r.mode == "bm25" or not spans or self.about_cosine >= 1.0:
            return 0.0
        q, *vecs = r.embedder.embed([question, *spans])
        return max(sum(a * b for a, b in zip(q, v, strict=True)) for v in vecs)

    def in_context(self, span: Span) -> str:
        return in_context(self.retriever, span)
