"""Plan: from the question as asked to the parts to answer (translated, typo-corrected, split).

>>> split_parts("How many anchor projects are there, how many operate, and how much was spent in 2019-2023?")
['How many anchor projects are there?', 'how many operate?', 'how much was spent in 2019-2023?']
>>> split_parts("How many anchor projects are either under implementation or idle?")
['How many anchor projects are either under implementation or idle?']
>>> script_of("Сколько якорных проектов простаивают?"), script_of("How many? 41")
('cyrillic', 'latin')
"""

from __future__ import annotations

import logging
from dataclasses import replace

from qa.check import GENERIC_TERMS, correct_typos, focus_terms
from qa.lexicon import (
    ASKS_DATE,
    ASKS_ORDER,
    ASKS_SOMETHING,
    CONDITION_CLAUSE,
    LEADING_CONJUNCTION,
    PART_BREAK,
    REFERS_TO_EACH,
    SCRIPT_LANGUAGE,
    SCRIPTS,
    asks_arithmetic,
)
from qa.llm import ChatBackend, Message
from qa.naming import for_document
from qa.retrieve import Retriever
from qa.text import has_term, numbers_in, terms
from qa.thesaurus import WordNet, reword

from .prompt import retranslate_messages, reword_messages, translate_messages
from .types import Part, Plan

log = logging.getLogger(__name__)


def script_of(text: str) -> str | None:
    """The writing system most of the letters of ``text`` are in (None if it has no letters)."""
    counts = {name: len(rx.findall(text)) for name, rx in SCRIPTS.items()}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else None


def split_parts(question: str, max_parts: int = 3) -> list[str]:
    """The asks of a question, each ending with "?"; at most ``max_parts`` (the rest stays in the last)."""
    pieces = [p.strip() for p in PART_BREAK.split(question.strip()) if p and p.strip()]
    while len(pieces) > 1 and lead_in(pieces[0]):  # a lead-in, not an ask: keep it with the next
        pieces[:2] = [f"{pieces[0]}, {pieces[1]}"]
    for i in range(len(pieces) - 1, 0, -1):  # "…, and how?" asks the ask before it further: one ask
        if not terms(LEADING_CONJUNCTION.sub("", pieces[i])):
            pieces[i - 1 : i + 1] = [f"{pieces[i - 1]}, {pieces[i]}"]
    if len(pieces) > max_parts:
        pieces = pieces[: max_parts - 1] + [", ".join(pieces[max_parts - 1 :])]
    out = []
    for p in pieces:
        p = LEADING_CONJUNCTION.sub("", p).strip().rstrip("?.,; ")
        if p:
            out.append(p + "?")
    return out if len(out) > 1 else [question.strip()]


def _joined(ask: str, more: str) -> str:
    """Two asks as one: "Which is older, X or Y?" + "what date does each carry?"."""
    return f"{ask.rstrip('?. ')}, and {more}" if ask and more else ask or more


def lead_in(piece: str) -> bool:
    """``piece`` (before a comma) asks nothing by itself: it qualifies the ask after it.

    >>> lead_in("Under GPLv3"), lead_in("When defining 'control' of an entity"), lead_in("When was it published")
    (True, True, False)
    >>> lead_in("Under GPLv2, if a program does not say which version applies")  # its last clause is a condition
    True
    """
    last = piece.rsplit(",", 1)[-1]
    conditional = bool(CONDITION_CLAUSE.search(piece) or CONDITION_CLAUSE.search(last))
    return not ASKS_SOMETHING.search(piece) or (conditional and "?" not in piece)


class Planner:
    """Normalise, translate (a question in another script than the documents'), typo-correct, split."""

    def __init__(
        self,
        retriever: Retriever,
        backend: ChatBackend | None = None,
        max_parts: int = 3,
        glossary_k: int = 3,
        thesaurus: WordNet | None = None,
    ) -> None:
        self.retriever, self.backend, self.max_parts = retriever, backend, max_parts
        self.glossary_k = glossary_k  # sentences a translation is made again with (0: translate once)
        self.thesaurus = thesaurus  # None: words the documents lack stay as asked
        self.reword_growth = 3.0  # Settings.reword_growth (reason there)

    def plan(self, question: str, history: list[Message] | None = None) -> Plan:
        turns = tuple(m for m in (history or []) if m.get("role") in ("user", "assistant") and m.get("content"))
        language = self.foreign_language(question)
        query = self.to_documents_language(question) if language else question
        prev = next((m["content"] for m in reversed(turns) if m["role"] == "user"), "")
        if prev and self.foreign_language(prev):
            prev = self.to_documents_language(prev)
        vocab = self.retriever.vocabulary
        prev = correct_typos(prev, vocab) if prev else ""
        asked = split_parts(query, self.max_parts)
        texts = [correct_typos(a, vocab) for a in asked]
        parts = tuple(
            Part(t, prev if i == 0 else texts[0], asks_arithmetic(t), a, question if language else "")
            for i, (t, a) in enumerate(zip(texts, asked, strict=True))
        )
        parts = self.for_each_named(parts) if len(parts) > 1 else self.per_document(parts[0])
        if len(parts) > 1:
            log.info("split %r into %d parts: %s", query, len(parts), [p.text for p in parts])
        return Plan(question, parts, language, turns)

    def in_documents_terms(self, text: str) -> str | None:
        """``text`` with each word the documents lack put in a synonym they use (the thesaurus), or
        None when the thesaurus finds none."""
        if self.thesaurus is None:
            return None
        r = self.retriever
        again, swaps = reword(text, r.vocabulary, self.thesaurus, GENERIC_TERMS, r.says)
        if swaps:
            log.info("in the documents' words: %r -> %r (%s)", text, again, swaps)
        return again if swaps else None

    def per_document(self, part: Part) -> tuple[Part, ...]:
        """A question that names two or more documents (a comparison: "under the Apache License
        versus the MPL 2.0?") asked of each document in turn: each part is answered from, and cites,
        its own document, and a document that does not say is reported as such. Each part's text
        names its document alone when the question joins the names ("X and Y", "X versus Y")."""
        docs = sorted(self.retriever.named(part.text))
        if not 2 <= len(docs) <= self.max_parts or ASKS_ORDER.search(part.text):  # "which is older?": one ask
            return (part,)
        names = self.retriever.names  # each part names its own document only: "… under the MPL 2.0?"
        return tuple(replace(part, document=d, text=for_document(part.text, d, names)) for d in docs)

    def for_each_named(self, parts: tuple[Part, ...]) -> tuple[Part, ...]:
        """Later asks that name no document but point back at the documents the first ask names
        asked of each of them in turn ("…, and how long is the cure period in each?"), as a
        comparison is. A date asked after "which came first" joins that ask: its answer
        gives the dates. Other asks stay as they are."""
        first, out = parts[0], []
        docs = sorted(self.retriever.named(first.text))
        if not 2 <= len(docs) <= self.max_parts:
            return parts
        for p in parts[1:]:
            if self.retriever.named(p.text) or not REFERS_TO_EACH.search(p.text):
                out.append(p)
            elif ASKS_ORDER.search(first.text) and ASKS_DATE.search(p.text):
                first = replace(first, text=_joined(first.text, p.text), asked=_joined(first.asked, p.asked))
            else:
                out.extend(replace(p, document=d) for d in docs)
        return (first, *out)

    def documents_script(self) -> str | None:
        sample = " ".join(s.text for s in self.retriever.sentences[:50])
        return script_of(sample)

    def foreign_language(self, text: str) -> str | None:
        """The language of ``text`` when its script is not the documents' (None otherwise)."""
        mine, theirs = script_of(text), self.documents_script()
        if mine is None or theirs is None or mine == theirs:
            return None
        return SCRIPT_LANGUAGE.get(mine, mine)

    def to_documents_language(self, text: str) -> str:
        """The model's translation of ``text`` into the documents' language (``text`` if it fails)."""
        if self.backend is None:
            return text
        target = SCRIPT_LANGUAGE.get(self.documents_script() or "latin", "English")
        try:
            out = self.backend.complete(translate_messages(text, target), 80).strip().splitlines()
        except Exception as exc:  # translation is a nicety: retrieve with the original words
            log.warning("translation failed (%s); using the question as asked", exc)
            return text
        translated = (out[0] if out else "").strip().strip('"') or text
        log.info("translated %r -> %r", text, translated)
        if translated == text or self.in_documents(translated):
            return translated
        return self.in_documents_words(text, translated, target)

    def in_documents(self, text: str) -> bool:
        """Every content word of ``text`` is one the documents use (then no other words are needed)."""
        vocab = self.retriever.vocabulary
        return all(has_term(t, vocab) for t in focus_terms(text))

    def in_documents_words(self, text: str, draft: str, language: str) -> str:
        """The translation made again with the sentences the first one retrieves, so that the
        question uses the documents' words for what they name (a small model translating alone
        picks a dictionary word: "megacities" for "моногорода", which the documents call
        "single-industry towns"). Kept only if it is still a question with the same numbers."""
        again = self._with_sentences(draft, lambda shown: retranslate_messages(text, draft, shown, language))
        if again is None or numbers_in(again) not in (numbers_in(text), numbers_in(draft)):
            return draft
        log.info("translated again with the documents' words: %r", again)
        return again

    def reworded(self, question: str) -> str | None:
        """``question`` in the words of the sentences it retrieves, for a question whose words the
        documents never use; None when the model gives no other question with the same numbers."""
        again = self._with_sentences(question, lambda shown: reword_messages(question, shown))
        if again is None or again.lower() == question.lower() or numbers_in(again) != numbers_in(question):
            log.info("no other question in the documents' words for %r (%r)", question, again)
            return None
        log.info("reworded %r in the documents' words: %r", question, again)
        return again

    def _with_sentences(self, query: str, messages) -> str | None:
        """The model's one-line question from ``messages(sentences retrieved for query)``, or None
        (no model, no sentences, a failed call, or a reply that is not a question)."""
        r = self.retriever
        shown = [e.span.text[:300] for e in r.evidence(query, r.retrieve(query), self.glossary_k)]
        if not shown or self.backend is None:
            return None
        try:
            out = self.backend.complete(messages(shown), 80).strip().splitlines()
        except Exception as exc:  # the question as it was stands
            log.warning("asking for the question in the documents' words failed (%s)", exc)
            return None
        again = (out[0] if out else "").strip().strip('"')
        if not again.endswith("?") or len(again) > self.reword_growth * len(query) + 20:
            log.info("the question in the documents' words %r is not used", again)
            return None
        return again
