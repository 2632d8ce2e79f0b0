"""Gather: retrieve chunks for one part, rank their sentences as evidence, judge answerability."""

from __future__ import annotations

from qa.check import judge
from qa.retrieve import Evidence, Retriever

from .types import Gathered, Part


class Gatherer:
    """Retrieval and evidence for one ``Part``; the judgement says whether the evidence can answer it.

    A part with context (a follow-up, or a later ask of a multi-part question) retrieves with its
    context, and is judged on its own words first, then together with the context.
    """

    def __init__(self, retriever: Retriever, evidence_k: int = 4, paraphrase_cosine: float = 0.45) -> None:
        self.retriever, self.evidence_k, self.paraphrase_cosine = retriever, evidence_k, paraphrase_cosine

    def gather(self, part: Part) -> Gathered:
        r, k = self.retriever, self.evidence_k
        joined = f"{part.context} {part.text}".strip()
        hits = r.retrieve(joined)
        evidence = r.evidence(part.text, hits, k)
        opts = {"dense": r.mode != "bm25", "paraphrase_cosine": self.paraphrase_cosine}
        verdict = judge(part.text, evidence, r.vocabulary, r.corpus_numbers, **opts)
        if part.context:
            evidence = merge(evidence, r.evidence(joined, hits, k), k)
            if not verdict.answerable:
                verdict = judge(joined, evidence, r.vocabulary, r.corpus_numbers, **opts)
        return Gathered(tuple(hits), tuple(evidence), verdict)


def merge(a: list[Evidence], b: list[Evidence], n: int) -> list[Evidence]:
    """Interleave two evidence lists, without repeats, best ``n``."""
    seen, out = set(), []
    for e in [x for pair in zip(a, b, strict=False) for x in pair] + a + b:
        key = (e.span.source, e.span.start)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out[:n]
