"""Bounds on figures: "more than 50%" is not "50%".

A sentence may give a figure as a bound ("ownership of more than fifty percent (50%)", "at least
three years", "fifty percent (50%) or more"). A small model copying the figure often drops the
bound, and the answer then states a bound as an exact figure, which the number check cannot see
(the number is in the sentence). ``with_bounds`` puts the cited sentences' bound back in front of
(or after) a figure the answer states bare, when every cited mention of that figure carries the
same bound: the claim then says what the sentence says.

>>> with_bounds("The MPL 2.0 uses a threshold of 50%.", ["ownership of more than fifty percent (50%) of the shares"])
'The MPL 2.0 uses a threshold of more than 50%.'
>>> with_bounds("Apache uses 50%.", ["ownership of fifty percent (50%) or more of the shares"])
'Apache uses 50% or more.'
>>> with_bounds("It creates more than 10,000 jobs.", ["creating more than 10,000 jobs"])
'It creates more than 10,000 jobs.'
>>> with_bounds("10,000 jobs. Valid for three years.", ["more than 10,000 jobs", "valid for at least three years"])
'More than 10,000 jobs. Valid for at least three years.'
"""

from __future__ import annotations

import re

from qa.lexicon import BOUND_AFTER, BOUND_BEFORE, GLOSSED_NUMBER, YEAR
from qa.text import numbers_in

_TOKEN = re.compile(r"\w+(?:[.,]\d+)*")


def mentions(text: str) -> list[tuple[str, int, int, tuple[str, str] | None]]:
    """Each figure of ``text``: (number, start, end, bound) with bound ``("before", "more than")``,
    ``("after", "or more")`` or None. A number word glossed by digits ("fifty percent (50%)") is
    read once, at its digits; years are left out (a year is a date, not an amount).

    >>> [(n, b) for n, _, _, b in mentions("at least three years, and 50% or more, from 2019")]
    [('3', ('before', 'at least')), ('50', ('after', 'or more'))]
    """
    out = []
    for m in _TOKEN.finditer(text):
        found = numbers_in(m.group())
        if len(found) != 1 or YEAR.fullmatch(m.group()):
            continue
        if not m.group()[0].isdigit() and GLOSSED_NUMBER.match(text[m.end() :]):
            continue
        before, after = (
            BOUND_BEFORE.search(text[max(0, m.start() - 60) : m.start()]),
            BOUND_AFTER.match(text[m.end() :]),
        )
        bound = ("before", before.group(1)) if before else ("after", after.group(1)) if after else None
        out.append((found.pop(), m.start(), m.end(), bound))
    return out


def sentence_bounds(sentences: list[str]) -> dict[str, tuple[str, str]]:
    """The figures that every mention in ``sentences`` gives with one and the same bound."""
    seen: dict[str, set[tuple[str, str] | None]] = {}
    for s in sentences:
        for n, _, _, bound in mentions(s):
            seen.setdefault(n, set()).add(_lower(bound))
    return {n: b.pop() for n, b in seen.items() if len(b) == 1 and None not in b}  # type: ignore[misc]


def with_bounds(answer: str, sentences: list[str]) -> str:
    """``answer`` with the bound its cited ``sentences`` put on a figure restored where it states
    that figure bare (see the module's examples); ``answer`` unchanged otherwise."""
    bounds = sentence_bounds(sentences)
    if not bounds:
        return answer
    out, last = [], 0
    for n, start, end, bound in mentions(answer):
        if bound is not None or n not in bounds:
            continue
        side, words = bounds[n]
        if side == "before":
            words = words.capitalize() if not answer[:start].strip() or answer[:start].rstrip()[-1] in ".!?:" else words
            out += [answer[last:start], f"{words} "]
            last = start
        else:
            stop = end + len(re.match(r"[%)]*", answer[end:]).group())
            out += [answer[last:stop], f" {words}"]
            last = stop
    return "".join(out) + answer[last:]


def _lower(bound: tuple[str, str] | None) -> tuple[str, str] | None:
    return (bound[0], " ".join(bound[1].lower().split())) if bound else None
