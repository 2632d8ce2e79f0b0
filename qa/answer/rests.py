"""The rest of a share the documents state: "40% came from the towns", so the share from outside
them is 100% - 40% = 60%. Found in code from the sentence about what the question excludes.

>>> s = ["In 2023, single-industry towns accounted for 40% of the country's total industrial output."]
>>> share_outside("What share of the total industrial output came from outside single-industry towns?", s)[0].render()
'100 - 40 = 60%'
>>> share_outside("What share of the total industrial output came from single-industry towns?", s) is None
True
"""

from __future__ import annotations

from qa.check import covers, focus_terms
from qa.lexicon import ASKS_SHARE, NEGATION, PERCENT, PERCENT_CHANGE
from qa.text import numbers_in, terms

from .arith import Computation, fmt


def share_outside(
    question: str, sentences: list[str], context: list[str] | None = None, about: float = 0.5
) -> tuple[Computation, tuple[int, ...]] | None:
    """For a question asking the share of a whole that is not something ("from outside the towns",
    "other than the budget"): 100% less the one percentage stated by the first sentence that names
    what is excluded and ``about`` of what the share is of (read with its ``context``), and any year
    the question names; a change ("15% less") is no share. Returns the computation and its sentence."""
    neg = NEGATION.search(question)
    if not ASKS_SHARE.search(question) or neg is None:
        return None
    excluded = [t for t in terms(neg.group(2)) if not t[0].isdigit()]
    rest = question[: neg.start()]
    of = [t for t in focus_terms(ASKS_SHARE.sub(" ", rest)) if not t[0].isdigit()]
    named = {n for t in rest.split() if t[:1].isdigit() for n in numbers_in(t)}
    ctx = context or sentences
    for i, s in enumerate(sentences):
        shares = [m for m in PERCENT.finditer(s) if not PERCENT_CHANGE.match(s, m.start())]
        if len(shares) != 1 or not excluded or not named <= numbers_in(ctx[i]):
            continue
        if covers(excluded, ctx[i]) >= about and (not of or covers(of, ctx[i]) >= about):
            return Computation(("100", shares[0].group(1)), ("-",), "%"), (i,)
    return None


def share_of_rest(
    rest: tuple[Computation, tuple[int, ...]] | None,
) -> tuple[Computation, tuple[int, ...], str] | None:
    """The share a rest of a whole is of it ("what share of the projects are not idle?": 41 - 3 = 38,
    then 38 / 41), with the rest's own calculation as the note.

    >>> c, where, note = share_of_rest((Computation(("41", "3"), ("-",)), (0, 1)))
    >>> c.render(), note
    ('38 / 41 = 92.7%', '(41 - 3 = 38)')
    """
    if rest is None or rest[0].ops != ("-",) or rest[0].units or not rest[0].result > 0:
        return None
    comp, where = rest
    return Computation((fmt(comp.result, None), comp.operands[0]), ("/",), percent=True), where, f"({comp.render()})"
