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
>>> unit_after("348.4", "In his words, 348.4 billion tenge were allocated")
'billion tenge'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.lexicon import (
    ARITHMETIC_OPS,
    MAGNITUDE_FACTOR,
    MAGNITUDES,
    PART_OF_WHOLE,
    SMALLER_MAGNITUDE,
    TIMES_100,
    WHOLE_INCLUDING_PART,
)
from qa.text import NUMBER_WORDS, STOPWORDS, listings, numbers_in

_NUM = r"(?:\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_OP = r"(?:\s*[+×*/÷]\s*|\s+[-−–]\s+)"
_UNIT = r"(?:\s*%|(?:\s+[^\W\d_]+){0,2})"  # "348.4 billion tenge - 184 billion tenge"
_EXPR = re.compile(rf"\b{_NUM}{_UNIT}(?:{_OP}{_NUM}\b{_UNIT})+", re.I)
TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|%|[^\W\d_]+")


def _value(n: str) -> float:
    return float(n)


def fmt(v: float, digits: int | None = 3) -> str:
    """A number as people write it: ``digits`` significant figures in its decimals (a quotient's
    figures rarely hold more: 1.4 trillion / 41 is 34.1 billion, not 34.146), its whole part
    unrounded, no trailing zeros; ``digits=None`` keeps it exact (a sum of written figures).

    >>> fmt(34.146), fmt(0.5128), fmt(1234.567), fmt(196.0), fmt(-2.345), fmt(348.4 - 184, None)
    ('34.1', '0.513', '1235', '196', '-2.35', '164.4')
    """
    if digits is None:
        return f"{round(v, 6):f}".rstrip("0").rstrip(".")
    whole = len(str(int(abs(v)))) if abs(v) >= 1 else 0
    places = max(0, digits - whole) if whole else max(digits, 2)
    if not whole and v:  # 0.0123 keeps three significant figures: 0.0123
        places = digits - 1 - int(f"{abs(v):e}".split("e")[1])
    return f"{round(v, places):.{places}f}".rstrip("0").rstrip(".") if places else str(round(v))


@dataclass(frozen=True)
class Computation:
    operands: tuple[str, ...]  # normalised numbers ("348.4", "184")
    ops: tuple[str, ...]  # "+", "-", "*", "/" between them
    unit: str = ""  # carried from the first operand ("billion tenge", "%")
    percent: bool = False  # a share: the quotient times 100, in %
    units: tuple[str, ...] = ()  # each operand's own unit, where their magnitudes differ

    @property
    def result(self) -> float:
        """The value, in the first operand's magnitude.

        >>> c = Computation(("1.4", "456.6"), ("/",), "times", units=("trillion tenge", "billion tenge"))
        >>> c.render()
        '1.4 trillion tenge / 456.6 billion tenge = 3.07 times'
        >>> Computation(("1.4", "456.6"), ("+",), "trillion tenge", units=("trillion tenge", "billion tenge")).render()
        '1.4 trillion tenge + 456.6 billion tenge = 1.8566 trillion tenge'

        """
        vals = [_value(o) for o in self.operands]
        if self.units:  # each figure in the first one's magnitude: 456.6 billion is 0.4566 trillion
            vals = [v * magnitude(u) / magnitude(self.units[0]) for v, u in zip(vals, self.units, strict=True)]
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

    def scaled(self) -> tuple[float, str]:
        """The result and its unit, a smaller magnitude for a small result (0.034 trillion: 34 billion)."""
        value, unit = self.result, self.unit
        while value and abs(value) < 1 and unit.split(" ")[0] in SMALLER_MAGNITUDE:
            head, *rest = unit.split(" ")
            value, unit = value * 1000, " ".join([SMALLER_MAGNITUDE[head], *rest])
        return value, unit

    def render(self, rounded: bool = False) -> str:
        """The calculation and its result; ``rounded`` (a question asking "about how much") adds the
        result as a whole number when it has decimals.

        >>> Computation(("1.4", "41"), ("/",), "trillion tenge").render(rounded=True)
        '1.4 trillion tenge / 41 = 34.1 billion tenge (about 34 billion tenge)'
        """
        shown = (
            [f"{o} {u}".strip() for o, u in zip(self.operands, self.units, strict=True)]
            if self.units
            else self.operands
        )
        expr = shown[0]
        for op, o in zip(self.ops, shown[1:], strict=True):
            expr += f" {op} {o}"
        value, unit = self.scaled()
        if self.percent:  # a share reads best to one decimal: "29 / 41 = 70.7%"
            value, unit = round(value, 1), "%"
        elif unit != self.unit and not self.units:  # the first figure keeps its own magnitude
            expr = f"{self.operands[0]} {self.unit}" + expr[len(self.operands[0]) :]
        unit = f" {unit}" if unit and unit != "%" else unit
        about = f" (about {round(value)}{unit})" if rounded and abs(value) >= 10 and value != round(value) else ""
        return f"{expr} = {fmt(value, self.precision)}{unit}{about}"

    @property
    def precision(self) -> int | None:
        """Significant figures of the result: a sum or difference is exact; a quotient or product
        keeps as many as its most precise figure, at least three (348.4 / 5 = 69.68, 1.4 / 41 = 0.0341).
        """
        if set(self.ops) <= {"+", "-"}:
            return None
        if self.unit == "times":  # a ratio is read to three figures: 348.4 / 62.8 = 5.55 times
            return 3
        return max(3, *(len(o.replace(".", "").lstrip("0")) for o in self.operands))


def parse_expression(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The first calculation written in ``text`` as (operands, operators), or None; a share's
    "x 100%" is how a quotient is read in per cent, not an operand.

    >>> parse_expression("184 / 348.4 * 100% = 52.8%")
    (('184', '348.4'), ('/',))
    """
    m = _EXPR.search(TIMES_100.sub("", text))
    if not m:
        return None
    pieces = re.split(rf"({_OP})", m.group())
    if not all(numbers_in(p) for p in pieces[0::2]):
        return None
    operands = tuple(sorted(numbers_in(p), key=p.find)[0] for p in pieces[0::2])
    ops = tuple(ARITHMETIC_OPS[p.strip()] for p in pieces[1::2])
    return operands, ops


def operands_fit(operands: tuple[str, ...], ops: tuple[str, ...], sources: list[str]) -> bool:
    """A calculation adds or subtracts figures of one kind (the same unit after each, whatever its
    magnitude, in the sentence it comes from: not "1.4 trillion tenge" + "41" projects) and uses a figure no
    more often than its sentences write it (not "3 + 3" from one "three"), and does not add a part
    to the whole that includes it, nor one sentence's whole to another's part.

    >>> operands_fit(("41", "1.4"), ("+",), ["41 projects", "1.4 trillion tenge"])
    False
    >>> operands_fit(("3", "3"), ("+",), ["three idle", "three idle"]), operands_fit(("9", "3"), ("+",), ["Nine and three", "Nine and three"])
    (False, True)
    >>> operands_fit(("62.8", "31.2"), ("+",), ["62.8 bn, including 31.2 bn"] * 2)
    False
    >>> two = ["348.4 bn, including 184 bn", "62.8 bn, including 31.2 bn"]
    >>> [operands_fit(o, ("+",), two) for o in (("348.4", "31.2"), ("184", "31.2"), ("348.4", "62.8"))]
    [False, True, True]
    """
    written = [n for s in dict.fromkeys(sources) for t in TOKEN.findall(s) for n in numbers_in(t)]
    written += [str(n) for s in dict.fromkeys(sources) for *_, n in listings(s)]  # "Altay, Ridder and Balkhash": 3
    if any(operands.count(o) > written.count(o) for o in set(operands)):
        return False
    if "*" in ops or "/" in ops:
        return True
    added = {o for o, op in zip(operands, ("+", *ops), strict=True) if op == "+"}
    pairs = [pair for s in dict.fromkeys(sources) if (pair := whole_and_part(s))]
    if any({w, p} <= added for w, p in pairs):
        return False  # "348.4 …, including 184 …": the part is in the whole already
    if added & {w for w, _ in pairs} and added & {p for _, p in pairs}:
        return False  # one sentence's whole plus another's part ("348.4 … including 184", "62.8 … including 31.2")
    return same_kind(operands, sources)


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
    toks = TOKEN.findall(text)
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


def magnitude(unit: str) -> float:
    """What a unit's magnitude word multiplies by: "trillion tenge" 1e12, "tenge" or "%" 1."""
    return MAGNITUDE_FACTOR.get(unit.split(" ")[0].lower(), 1.0) if unit else 1.0


def kind_of(unit: str) -> tuple[str, bool]:
    """A unit without its magnitude, and whether it had one: "billion tenge" ("tenge", True)."""
    head, *rest = unit.split(" ") if unit else [""]
    if head.lower() in MAGNITUDE_FACTOR:
        return " ".join(rest), True
    return unit, False


def same_kind(operands: tuple[str, ...], sources: list[str]) -> bool:
    """The figures have one unit after them, whatever its magnitude (tenge and tenge, counts and
    counts): 62.8 to 31.2 billion tenge, or 1.4 trillion to 456.6 billion tenge, compare; 326
    activities to 456.6 billion tenge do not, nor 41 projects to 5 million.

    >>> same_kind(("62.8", "31.2"), ["62.8 billion tenge, including 31.2 billion tenge"] * 2)
    True
    >>> same_kind(("326", "456.6"), ["326 activities of 456.6 billion tenge"] * 2)
    False
    >>> same_kind(("1.4", "456.6"), ["worth 1.4 trillion tenge", "456.6 billion tenge"])
    True
    """
    return len({kind_of(u) for u in units_of(operands, sources)}) == 1


def larger_first(operands: tuple[str, ...], sources: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """The operands (and their sentences) from the largest value down, magnitudes counted.

    >>> larger_first(("456.6", "1.4"), ["456.6 billion tenge", "1.4 trillion tenge"])[0]
    ('1.4', '456.6')
    """
    order = sorted(
        range(len(operands)), key=lambda k: -float(operands[k]) * magnitude(unit_after(operands[k], sources[k]))
    )
    return tuple(operands[k] for k in order), [sources[k] for k in order]


def units_of(operands: tuple[str, ...], sources: list[str]) -> tuple[str, ...]:
    """Each operand's unit in its sentence."""
    return tuple(unit_after(o, s) for o, s in zip(operands, sources, strict=True))


def per_operand(operands: tuple[str, ...], sources: list[str]) -> tuple[str, ...]:
    """The operands' units when each has a magnitude and they differ (each is then shown and
    scaled), else (): 1.4 trillion over 41 projects divides by a count, not by 41 of anything.

    >>> per_operand(("1.4", "456.6"), ["1.4 trillion tenge", "456.6 billion tenge"])
    ('trillion tenge', 'billion tenge')
    >>> per_operand(("1.4", "41"), ["1.4 trillion tenge", "41 anchor projects"])
    ()
    """
    units = units_of(operands, sources)
    scaled = all(kind_of(u)[1] for u in units)
    return units if scaled and len({magnitude(u) for u in units}) > 1 else ()


def whole_and_part(sentence: str) -> tuple[str, str] | None:
    """The first (whole, part) a sentence states: "29 out of 41" gives ("41", "29")."""
    pairs = [(m.group(2), m.group(1)) for m in PART_OF_WHOLE.finditer(sentence)]
    pairs += [(m.group(1), m.group(2)) for m in WHOLE_INCLUDING_PART.finditer(sentence)]
    for whole, part in pairs:
        w, p = (next(iter(numbers_in(x)), "") for x in (whole, part))
        if w and p and float(w) > float(p):
            return w, p
    return None
