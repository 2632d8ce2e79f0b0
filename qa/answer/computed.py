"""Computed answers: a calculation the model wrote, or a figure the sentences imply, redone in
code from operands found in the cited sentences (``Verifier`` uses this as a mixin: it needs
``retriever``, ``_accept``, ``about``, ``in_context`` and the thresholds ``follow_words``,
``topic_share`` and ``about_share``)."""

from __future__ import annotations

import logging

from qa.documents import Span
from qa.grounding import figure_of_period
from qa.lexicon import ASKS_AVERAGE, ASKS_DIFFERENCE, ASKS_RATIO, ASKS_SHARE, PER_YEAR, ROUGHLY, YEAR
from qa.text import counts_in, numbers_in

from .arith import (
    Computation,
    explain,
    larger_first,
    operands_fit,
    parse_expression,
    per_operand,
    same_kind,
    unit_after,
)
from .spans import beside_subject, operand_spans, operands_apart, read_widening
from .types import Accept, Fallback, Gathered, Part, Verdict
from .wholes import implied

log = logging.getLogger(__name__)


class Computing:
    """The calculations of ``Verifier``."""

    def _computation(
        self, part: Part, body: str, candidates: list[Span], gathered: Gathered | None = None
    ) -> Verdict | None:
        """A written calculation, or a number no span holds that two span numbers give: recomputed."""
        parsed = parse_expression(body)
        held = set().union(*(counts_in(c.text) for c in candidates)) if candidates else set()
        if parsed is None:
            new = sorted(n for n in numbers_in(body) - held - numbers_in(part.text) if not YEAR.fullmatch(n))
            # a figure no sentence holds is taken for a calculation only where the question asks one
            comp = explain(new[0], sorted(held)) if len(new) == 1 and part.arithmetic else None
            if comp is None:
                return None
            operands, ops = comp.operands, comp.ops
        else:
            operands, ops = parsed
        spans = operand_spans(self.retriever, part, operands, candidates, gathered)
        if isinstance(spans, Fallback):
            return spans
        chosen = list(dict.fromkeys(spans))
        if not operands_fit(operands, ops, [s.text for s in spans]):
            return Fallback("the calculation adds figures of different kinds or uses one figure twice")
        if not self.about([self.in_context(c) for c in chosen], part.focus, chosen):
            return Fallback("the numbers of the calculation come from sentences not about the question")
        if (apart := operands_apart(self.retriever, part, operands, chosen)) is not None:
            return Fallback(apart)
        if not figure_of_period(part.text, " ".join(operands), [c.text for c in chosen]):
            return Fallback("a figure of the calculation is of another year than the question names")
        share, ratio = bool(ASKS_SHARE.search(part.text)), bool(ASKS_RATIO.search(part.text))
        divides = share or ratio or bool(ASKS_AVERAGE.search(part.text) or PER_YEAR.search(part.text))
        sources = [s.text for s in spans]
        if ratio and len(operands) == 2:  # "how many times …": the larger figure over the smaller one
            if not same_kind(operands, sources):
                return Fallback("the ratio divides figures of different kinds")
            (operands, sources), ops = larger_first(operands, sources), ("/",)
        if "-" in ops and not ASKS_DIFFERENCE.search(part.text):  # "the total amount": 41 - 29 is no answer
            return Fallback("the calculation subtracts where the question asks no difference or rest")
        unit = "times" if ratio and ops == ("/",) else unit_after(operands[0], sources[0])
        comp = Computation(operands, ops, unit, share and "/" in ops, per_operand(operands, sources))
        if not set(ops) <= ({"+", "-", "/"} if divides else {"+", "-"}) or not comp.result > 0:
            return Fallback(f"the calculation {comp.render()} does not give a count or amount")
        return self._accept(comp.render(bool(ROUGHLY.search(part.text))), chosen)

    def rest_of_whole(self, part: Part, gathered: Gathered) -> Accept | None:
        """The code's own calculation of a figure the sentences about the question imply (see
        ``implied``), cited from them; None when they imply none. The best few sentences are read
        first, then more of the retrieved passages (an average's count or a ratio's second figure
        may sit below them); the question as asked, then without its documents' subject words
        ("single-industry towns" in an article about them)."""
        q = part.text
        for spans in read_widening(self.retriever, part, gathered, self.follow_words):
            rest = beside_subject(self.retriever, q, spans, self.topic_share)
            for asked in dict.fromkeys((q, rest)):
                found = implied(asked, [s.text for s in spans], [self.in_context(s) for s in spans], self.about_share)
                if found is not None:
                    comp, where, note = found
                    body = f"{comp.render(bool(ROUGHLY.search(q)))} {note}".strip()
                    cited = [spans[i] for i in where]
                    if (apart := operands_apart(self.retriever, part, comp.operands, cited)) is not None:
                        log.info("the implied figure is not kept: %s", apart)
                        return None
                    verdict = self._accept(body, cited)
                    return verdict if isinstance(verdict, Accept) else None
        return None
