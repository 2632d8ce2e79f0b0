"""Checks that do not trust the model: is the question answerable from the evidence, and is an
answer supported by the spans it cites?

>>> supported("Three of the 41 projects stand idle.", ["29 out of 41 projects", "three projects stand idle"], "")
True
>>> supported("The GDP is 18.5 trillion.", ["three projects stand idle"], "")
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.retrieve import Evidence
from qa.text import numbers_in, stem, terms, words

# Generic question words that carry no content of their own.
_GENERIC = {stem(w) for w in "happen number amount total percent percentage share figure value name list year date time kind type sort part mention people person way thing".split()}  # fmt: skip


@dataclass(frozen=True)
class Judgement:
    answerable: bool
    reason: str
    coverage: float  # share of the question's content terms found in the top evidence
    cosine: float  # best dense similarity of an evidence sentence
    missing: tuple[str, ...]  # content terms found nowhere in the corpus


def judge(
    question: str,
    evidence: list[Evidence],
    vocabulary: set[str],
    min_cosine: float = 0.25,
    strong_cosine: float = 0.6,
    dense: bool = True,
) -> Judgement:
    """Decide from the evidence alone whether the documents can answer ``question``."""
    qterms = [t for t in terms(question) if t not in _GENERIC]
    if not evidence:
        return Judgement(False, "no evidence retrieved", 0.0, 0.0, tuple(qterms))
    top = evidence[:3]
    ev_terms = {t for e in top for t in terms(e.span.text)}
    covered = [t for t in qterms if t in ev_terms]
    coverage = len(covered) / len(qterms) if qterms else 1.0
    missing = tuple(t for t in qterms if t not in vocabulary and not t[0].isdigit())
    cos = max(e.cosine for e in evidence)
    if not dense:  # lexical only: need most terms present
        ok = coverage >= 0.5 and not missing
        return Judgement(
            ok, "lexical coverage" if ok else "question terms not in the documents", coverage, cos, missing
        )
    if cos < min_cosine:
        return Judgement(False, f"weak evidence (cosine {cos:.2f})", coverage, cos, missing)
    if missing and cos < strong_cosine:
        return Judgement(False, f"terms not in the documents: {', '.join(missing)}", coverage, cos, missing)
    if coverage < 0.34 and cos < 0.45:
        return Judgement(False, f"evidence covers {coverage:.0%} of the question", coverage, cos, missing)
    return Judgement(True, "supported", coverage, cos, missing)


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b")


def _names(text: str) -> set[str]:
    return {m.group().lower() for m in _NAME.finditer(text.strip())}


def allowed_numbers(spans: list[str], question: str) -> set[str]:
    """Numbers in the spans or the question, plus sums and differences of two span numbers."""
    nums = set().union(*(numbers_in(s) for s in spans)) if spans else set()
    nums |= numbers_in(question)
    derived = set()
    values = []
    for n in nums:
        try:
            values.append(float(n))
        except ValueError:
            pass
    for a in values:
        for b in values:
            for v in (a + b, a - b):
                if v > 0:
                    derived.add(f"{v:g}")
    return nums | derived


def supported(answer: str, spans: list[str], question: str) -> bool:
    """Every number and every capitalised name in ``answer`` appears in ``spans`` (or the question)."""
    nums = numbers_in(answer)
    if not nums <= allowed_numbers(spans, question):
        return False
    known = {w for s in [*spans, question] for w in words(s)}
    return all(n in known for n in _names(answer))
