"""Arithmetic in code: the model (or the evidence) proposes operands, the code computes.

>>> parse_expression("There are 9 + 3 = 12 idle or building projects.")
(('9', '3'), ('+',))
>>> parse_expression("from 2019-2023") is None
True
>>> parse_expression("348.4 billion tenge - 184 billion tenge = 164.4 billion tenge")
(('348.4', '184'), ('-',))
>>> c = Computation(("348.4", "184"), ("-",), unit="billion tenge")
>>> c.render()
'348.4 - 184 = 164.4 billion tenge'
>>> explain("12", ["41", "29", "9", "3"]).render()
'9 + 3 = 12'
>>> complement("How many projects are not operating?", ["29 out of 41 projects are operating."])
(Computation(operands=('41', '29'), ops=('-',), unit='', percent=False), (0,))
>>> unit_after("348.4", "In his words, 348.4 billion tenge were allocated")
'billion tenge'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.lexicon import ARITHMETIC_OPS, MAGNITUDES, NEGATION, PART_OF_WHOLE, WHOLE_INCLUDING_PART
from qa.text import NUMBER_WORDS, STOPWORDS, has_term, numbers_in, terms

_NUM = r"(?:\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_OP = r"(?:\s*[+×*/÷]\s*|\s+[-−–]\s+)"
_UNIT = r"(?:\s*%|(?:\s+[^\W\d_]+){0,2})"  # "348.4 billion tenge - 184 billion tenge"
_EXPR = re.compile(rf"\b{_NUM}{_UNIT}(?:{_OP}{_NUM}\b{_UNIT})+", re.I)
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|%|[^\W\d_]+")


def _value(n: str) -> float:
    return float(n)


def fmt(v: float) -> str:
    """A number as people write it: no trailing zeros, at most two decimals."""
    return f"{round(v, 2):.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Computation:
    operands: tuple[str, ...]  # normalised numbers ("348.4", "184")
    ops: tuple[str, ...]  # "+", "-", "*", "/" between them
    unit: str = ""  # carried from the first operand ("billion tenge", "%")
    percent: bool = False  # a share: the quotient times 100, in %

    @property
    def result(self) -> float:
        vals = [_value(o) for o in self.operands]
        terms, signs = [vals[0]], []
        for op, v in zip(self.ops, vals[1:], strict=True):  # * and / first, then + and -
            if op in "*/":
                terms[-1] = terms[-1] * v if op == "*" else (terms[-1] / v if v else float("nan"))
            else:
                terms.append(v)
                signs.append(op)
        total = terms[0]
        for op, v in zip(signs, terms[1:], strict=True):
            total = total + v if op == "+" else total - v
        return total * 100 if self.percent else total

    def render(self) -> str:
        expr = self.operands[0]
        for op, o in zip(self.ops, self.operands[1:], strict=True):
            expr += f" {op} {o}"
        if self.percent:
            return f"{expr} = {fmt(self.result)}%"
        unit = f" {self.unit}" if self.unit and self.unit != "%" else self.unit
        return f"{expr} = {fmt(self.result)}{unit}"


def parse_expression(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The first calculation written in ``text`` as (operands, operators), or None."""
    m = _EXPR.search(text)
    if not m:
        return None
    pieces = re.split(rf"({_OP})", m.group())
    if not all(numbers_in(p) for p in pieces[0::2]):
        return None
    operands = tuple(sorted(numbers_in(p), key=p.find)[0] for p in pieces[0::2])
    ops = tuple(ARITHMETIC_OPS[p.strip()] for p in pieces[1::2])
    return operands, ops


def explain(target: str, numbers: list[str]) -> Computation | None:
    """A sum or difference of two of ``numbers`` that equals ``target`` (sums first), or None."""
    try:
        want = float(target)
        vals = [(n, float(n)) for n in dict.fromkeys(numbers)]
    except ValueError:
        return None
    for op in ("+", "-"):
        for a, va in vals:
            for b, vb in vals:
                if a != b and abs((va + vb if op == "+" else va - vb) - want) < 1e-6 and (op == "-" or va >= vb):
                    return Computation((a, b), (op,))
    return None


def unit_after(number: str, text: str) -> str:
    """The magnitude (and the word after it) or "%" that follows ``number`` in ``text``, else ""."""
    toks = _TOKEN.findall(text)
    for i, t in enumerate(toks):
        if numbers_in(t) != {number}:
            continue
        nxt = [w.lower() for w in toks[i + 1 : i + 3]]
        if nxt[:1] == ["%"]:
            return "%"
        if nxt and nxt[0] in MAGNITUDES:
            extra = nxt[1] if len(nxt) > 1 and nxt[1].isalpha() and nxt[1] not in STOPWORDS else ""
            return f"{nxt[0]} {extra}".strip()
        return ""
    return ""


def complement(question: str, sentences: list[str]) -> tuple[Computation, tuple[int, ...]] | None:
    """For a question about the rest of a whole ("how many are not operating?"): whole - part from
    the first sentence that states a part of a whole and names what the question excludes. When no
    one sentence names every figure the question names ("2019-2023 and 2024 combined") but several
    together do, the rests of each are added. Returns the computation and its sentences' indices.

    >>> s = ["From 2019 to 2023, 348.4 bn were spent, including 184 bn from the budget.",
    ...      "In 2024, 62.8 bn, including 31.2 bn from the budget."]
    >>> c, where = complement("How much not from the budget in 2019-2023 and 2024 combined?", s)
    >>> c.render(), where
    ('348.4 - 184 + 62.8 - 31.2 = 196 bn', (0, 1))
    """
    neg = NEGATION.search(question)
    excluded = terms(neg.group(2)) if neg else []
    if not excluded:
        return None
    named = numbers_in(question)  # a year or figure the question names must be in the sentence(s)
    found: list[tuple[str, str, int]] = []
    for i, s in enumerate(sentences):
        have = set(terms(s))
        pair = _whole_and_part(s)
        if sum(has_term(t, have) for t in excluded) < max(1, len(excluded) // 2) or pair is None:
            continue
        if named <= numbers_in(s):
            return Computation(pair, ("-",), unit_after(pair[0], s)), (i,)
        if numbers_in(s) & named:
            found.append((*pair, i))
    if len(found) < 2 or not named <= set().union(*(numbers_in(sentences[i]) for *_, i in found)):
        return None
    operands = tuple(n for w, p, _ in found for n in (w, p))
    ops = tuple(("+", "-")[k % 2] for k in range(1, len(operands)))
    return Computation(operands, ops, unit_after(found[0][0], sentences[found[0][2]])), tuple(i for *_, i in found)


def _whole_and_part(sentence: str) -> tuple[str, str] | None:
    """The first (whole, part) a sentence states: "29 out of 41" gives ("41", "29")."""
    pairs = [(m.group(2), m.group(1)) for m in PART_OF_WHOLE.finditer(sentence)]
    pairs += [(m.group(1), m.group(2)) for m in WHOLE_INCLUDING_PART.finditer(sentence)]
    for whole, part in pairs:
        w, p = (next(iter(numbers_in(x)), "") for x in (whole, part))
        if w and p and float(w) > float(p):
            return w, p
    return None
