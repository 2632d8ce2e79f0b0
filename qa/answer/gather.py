"""Gather: retrieve chunks for one part, rank their sentences as evidence, judge answerability."""

from __future__ import annotations

from qa.check import Judgement, judge
from qa.documents import Span
from qa.lexicon import COMPARING, QUOTED_TERM
from qa.retrieve import Evidence, Hit, Retriever

from .sections import described, description, section_answer
from .spans import named_documents
from .types import Accept, Gathered, Part, Refuse

WIDE = 16  # chunks looked through for each document a comparison names


class Gatherer:
    """Retrieval and evidence for one ``Part``; the judgement says whether the evidence can answer it.

    A part with context (a follow-up, or a later ask of a multi-part question) retrieves with its
    context, and is judged on its own words first, then together with the context. A part that
    names two or more documents (a comparison) takes its evidence from each of them in turn.
    """

    def __init__(self, retriever: Retriever, evidence_k: int = 4, paraphrase_cosine: float = 0.45) -> None:
        self.retriever, self.evidence_k, self.paraphrase_cosine = retriever, evidence_k, paraphrase_cosine
        self.limits: dict[str, float] = {}  # judge's other thresholds (Settings.judge_limits); empty: its defaults

    def gather(self, part: Part) -> Gathered:
        r, k = self.retriever, self.evidence_k
        joined = f"{part.context} {part.text}".strip()
        if part.document:  # one side of a comparison: searched without the words that compare
            alone = " ".join(COMPARING.sub(" ", part.text).split())
            hits = r.within(f"{part.context} {alone}".strip(), part.document, r.top_k)
            evidence = r.evidence(alone, hits, k)
        else:
            hits = r.retrieve(joined)
            evidence = r.evidence(part.text, hits, k)
        named = named_documents(r, part)
        hits, evidence = self.defining(part.text, named, hits, evidence)
        hits, evidence = self.describing(part.text, hits, evidence)
        if len(named) > 1:
            hits, evidence = self.per_document(part.text, joined, sorted(named), hits, evidence)
        names = r.document_words
        opts = {"dense": r.mode != "bm25", "paraphrase_cosine": self.paraphrase_cosine, "names": names, **self.limits}
        verdict = judge(part.text, evidence, r.vocabulary, r.corpus_numbers, **opts)
        if part.context:
            evidence = merge(evidence, r.evidence(joined, hits, k), k)
            if not verdict.answerable:
                verdict = judge(joined, evidence, r.vocabulary, r.corpus_numbers, **opts)
        gathered = Gathered(tuple(hits), tuple(evidence), verdict)
        return Gathered(gathered.hits, gathered.evidence, structural(part, gathered, r) or verdict)

    def per_document(
        self, text: str, joined: str, named: list[str], hits: list[Hit], evidence: list[Evidence]
    ) -> tuple[list[Hit], list[Evidence]]:
        """Hits and evidence taken from each named document in turn (best first within each), so
        that an answer comparing them can cite each one; a document the others crowd out of the
        wide ranking is searched on its own (``Retriever.within``)."""
        r, each = self.retriever, max(1, self.evidence_k // len(named))
        wide = r.retrieve(joined, max(WIDE, r.top_k))
        lists, all_hits = [], list(hits)
        for doc in named:
            doc_hits = [h for h in wide if h.chunk.source == doc][:2] or r.within(joined, doc, 2)
            all_hits += [h for h in doc_hits if h not in all_hits]
            lists.append(r.evidence(text, doc_hits, each) if doc_hits else [])
        if not all(lists):
            return hits, evidence
        turns = [e for group in zip(*lists, strict=False) for e in group]
        rest = [e for g in lists for e in g] + evidence
        return all_hits, merge(turns + rest, [], max(self.evidence_k, each * len(named)))

    def defining(
        self, text: str, named: set[str], hits: list[Hit], evidence: list[Evidence]
    ) -> tuple[list[Hit], list[Evidence]]:
        """Put first the sentences that define a term the question quotes (where the documents
        write it in quotes too, as a definition does), in the documents it names, and their chunks."""
        r = self.retriever
        terms = quoted_terms(text)
        if not terms:
            return hits, evidence
        found = [s for s in r.sentences if (not named or s.source in named) and any(defines(t, s.text) for t in terms)][
            :2
        ]
        if not found:
            return hits, evidence
        return self.leading(found, hits, evidence)

    def describing(self, text: str, hits: list[Hit], evidence: list[Evidence]) -> tuple[list[Hit], list[Evidence]]:
        """Put first, for a question that asks what a document's subject is ("What is Typer?"),
        the sentences near its top that describe it: a name alone retrieves any of its chunks."""
        doc = described(text, self.retriever)
        found = description(self.retriever, doc) if doc else []
        if not found:
            return hits, evidence
        return self.leading(found, hits, evidence)

    def leading(self, found: list[Span], hits: list[Hit], evidence: list[Evidence]) -> tuple[list[Hit], list[Evidence]]:
        """``found`` sentences first in the evidence, and their chunks among the hits."""
        r = self.retriever
        best = max((e.score for e in evidence), default=1.0)
        lead = [Evidence(s, best, max((e.cosine for e in evidence), default=0.0), 0.0) for s in found]
        chunks = [c for c in dict.fromkeys(r.chunk_holding(s) for s in found) if c is not None]
        more = [Hit(c, 0.0, len(hits) + i) for i, c in enumerate(chunks) if all(h.chunk.id != c.id for h in hits)]
        return hits + more[:2], merge(lead, evidence, self.evidence_k)


def quoted_terms(text: str) -> list[str]:
    """The terms ``text`` writes in quotes, lowercased.

    >>> quoted_terms("What share gives 'control' of an entity?")
    ['control']
    """
    return [t.strip().lower() for t in QUOTED_TERM.findall(text) if t.strip()]


def defines(term: str, sentence: str) -> bool:
    """``sentence`` writes ``term`` in quotes near its start (where a definition names its term).

    >>> defines("object code", 'The "Object code" means any non-source form of a work.')
    True
    >>> defines("object code", 'You may convey a covered work in the form of "object code" under section 6.')
    False
    """
    low = " ".join(sentence.lower().split())
    at = min(
        (low.find(q + term + e) for q, e in (('"', '"'), ("“", "”"), ("'", "'")) if q + term + e in low), default=-1
    )
    return 0 <= at <= 40


def structural(part: Part, gathered: Gathered, retriever: Retriever) -> Judgement | None:
    """The judgement of a question about the documents' own sections: answerable when the
    section (or the section holding the evidence) is found, not when a named document lacks it;
    answerable when it asks about the title block of a document it names and that block is in
    the evidence (whether the block answers is the verifier's to check)."""
    j = gathered.judgement
    if j.premise:  # a year or version the documents never write: no heading or title block answers it
        return None
    found = section_answer(part, gathered, retriever)
    if found is None and retriever.title_asked(
        part.text, [e.span for e in gathered.evidence if retriever.in_title(e.span)], named_documents(retriever, part)
    ):
        return Judgement(
            True, "the question asks about the title block of a document it names", j.coverage, j.cosine, ()
        )
    if isinstance(found, Accept):
        return Judgement(True, "the section asked about is in the documents", j.coverage, j.cosine, ())
    if isinstance(found, Refuse):
        return Judgement(False, found.reason, j.coverage, j.cosine, j.missing)
    return None


def merge(a: list[Evidence], b: list[Evidence], n: int) -> list[Evidence]:
    """Interleave two evidence lists, without repeats, best ``n``."""
    seen, out = set(), []
    for e in [x for pair in zip(a, b, strict=False) for x in pair] + a + b:
        key = (e.span.source, e.span.start)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out[:n]
