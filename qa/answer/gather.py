"""Gather: retrieve chunks for one part, rank their sentences as evidence, judge answerability."""

from __future__ import annotations

from qa.check import Judgement, judge
from qa.retrieve import Evidence, Hit, Retriever

from .sections import section_answer
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

    def gather(self, part: Part) -> Gathered:
        r, k = self.retriever, self.evidence_k
        joined = f"{part.context} {part.text}".strip()
        hits = r.retrieve(joined)
        evidence = r.evidence(part.text, hits, k)
        named = r.named(part.text)
        if len(named) > 1:
            hits, evidence = self.per_document(part.text, joined, sorted(named), hits, evidence)
        names = set().union(*(ws for ws, _ in r.names.values())) if r.names else set()
        opts = {"dense": r.mode != "bm25", "paraphrase_cosine": self.paraphrase_cosine, "names": names}
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
        that an answer comparing them can cite each one."""
        r, each = self.retriever, max(1, self.evidence_k // len(named))
        wide = r.retrieve(joined, max(WIDE, r.top_k))
        lists, all_hits = [], list(hits)
        for doc in named:
            doc_hits = [h for h in wide if h.chunk.source == doc][:2]
            all_hits += [h for h in doc_hits if h not in all_hits]
            lists.append(r.evidence(text, doc_hits, each) if doc_hits else [])
        if not all(lists):
            return hits, evidence
        turns = [e for group in zip(*lists, strict=False) for e in group]
        rest = [e for g in lists for e in g] + evidence
        return all_hits, merge(turns + rest, [], max(self.evidence_k, each * len(named)))


def structural(part: Part, gathered: Gathered, retriever: Retriever) -> Judgement | None:
    """The judgement of a question about the documents' own sections: answerable when the
    section (or the section holding the evidence) is found, not when a named document lacks it."""
    found = section_answer(part, gathered, retriever)
    j = gathered.judgement
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
