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

from qa.check import focus_terms
from qa.lexicon import (
    ARITHMETIC_OPS,
    ASKS_AVERAGE,
    ASKS_SHARE,
    MAGNITUDES,
    NEGATION,
    PART_OF_WHOLE,
    PER_YEAR,
    PERCENT,
    SMALLER_MAGNITUDE,
    TIMES_100,
    WHOLE_INCLUDING_PART,
    YEAR,
    YEAR_RANGE,
)
from qa.text import NUMBER_WORDS, STOPWORDS, has_term, numbers_in, terms

_NUM = r"(?:\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_OP = r"(?:\s*[+×*/÷]\s*|\s+[-−–]\s+)"
_UNIT = r"(?:\s*%|(?:\s+[^\W\d_]+){0,2})"  # "348.4 billion tenge - 184 billion tenge"
_EXPR = re.compile(rf"\b{_NUM}{_UNIT}(?:{_OP}{_NUM}\b{_UNIT})+", re.I)
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|%|[^\W\d_]+")


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
        expr = self.operands[0]
        for op, o in zip(self.ops, self.operands[1:], strict=True):
            expr += f" {op} {o}"
        value, unit = self.scaled()
        if self.percent:  # a share reads best to one decimal: "29 / 41 = 70.7%"
            value, unit = round(value, 1), "%"
        elif unit != self.unit:  # the first figure keeps its own magnitude
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
    """A calculation adds or subtracts figures of one kind (the same magnitude and unit after each,
    in the sentence it comes from: not "1.4 trillion tenge" + "41" projects) and uses a figure no
    more often than its sentences write it (not "3 + 3" from one "three"), and does not add a part
    to the whole that includes it.

    >>> operands_fit(("41", "1.4"), ("+",), ["41 projects", "1.4 trillion tenge"])
    False
    >>> operands_fit(("3", "3"), ("+",), ["three idle", "three idle"]), operands_fit(("9", "3"), ("+",), ["Nine and three", "Nine and three"])
    (False, True)
    >>> operands_fit(("62.8", "31.2"), ("+",), ["62.8 bn, including 31.2 bn"] * 2)
    False
    """
    written = [n for s in dict.fromkeys(sources) for t in _TOKEN.findall(s) for n in numbers_in(t)]
    if any(operands.count(o) > written.count(o) for o in set(operands)):
        return False
    if "*" in ops or "/" in ops:
        return True
    added = {o for o, op in zip(operands, ("+", *ops), strict=True) if op == "+"}
    if any({w, p} <= added for s in sources if (pair := _whole_and_part(s)) for w, p in [pair]):
        return False  # "348.4 …, including 184 …": the part is in the whole already
    units = {unit_after(o, s) for o, s in zip(operands, sources, strict=True)}
    return len(units) == 1


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


def complement(
    question: str, sentences: list[str], context: list[str] | None = None
) -> tuple[Computation, tuple[int, ...]] | None:
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
    excluded = [t for t in terms(neg.group(2)) if not t[0].isdigit()] if neg else []
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
        rest = question[: neg.start()] + question[neg.end() :]
        return _rest_across(rest, excluded, sentences, named, context)
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


def _rest_across(
    rest: str, excluded: list[str], sentences: list[str], named: set[str], context: list[str] | None = None
) -> tuple[Computation, tuple[int, ...]] | None:
    """Whole - part where one sentence states the whole ("29 out of 41 anchor projects …") and
    another the part the question excludes ("… while three projects stand idle"). ``rest`` is the
    question without its negated phrase: what the whole is of.

    >>> s = ["29 out of 41 anchor projects operate.", "Nine are being built, while three projects stand idle."]
    >>> _rest_across("How many anchor projects are?", ["idle"], s, set())[0].render()
    '41 - 3 = 38'
    """
    subject = [t for t in terms(rest) if not t[0].isdigit()]
    whole = _whole_of(subject, sentences, named, context)
    if whole is None:
        return None
    w, wi = whole
    part = _part_named(excluded, sentences, exclude=wi, context=context)
    if part is None or not float(w) > float(part[0]):
        return None
    p, pi = part
    if not named <= numbers_in(sentences[wi]) | numbers_in(sentences[pi]):
        return None
    return Computation((w, p), ("-",), unit_after(w, sentences[wi])), tuple(sorted({wi, pi}))


def share_of_whole(
    question: str, sentences: list[str], context: list[str] | None = None
) -> tuple[Computation, tuple[int, ...]] | None:
    """For a question asking what share or percentage something is: part / whole x 100, from a
    sentence stating the whole and another stating the part the question names, or from one
    sentence that states a part of a whole about it ("29 out of 41 projects operate"). None when
    the question asks no share, or a sentence about it already states a percentage (the answer).

    >>> s = ["29 out of 41 anchor projects operate successfully.", "Three projects stand idle."]
    >>> share_of_whole("What percentage of the anchor projects operate successfully?", s)[0].render()
    '29 / 41 = 70.7%'
    >>> share_of_whole("What fraction of anchor projects stand idle?", s)[0].render()
    '3 / 41 = 7.3%'
    """
    if not ASKS_SHARE.search(question) or NEGATION.search(question):
        return None
    qterms = [t for t in focus_terms(ASKS_SHARE.sub(" ", question)) if not t[0].isdigit()]
    named = numbers_in(question)
    ctx = context or sentences  # what a sentence is about is read with the one before it ("for this purpose")
    about = [i for i, s in enumerate(sentences) if _covers(qterms, ctx[i]) >= 0.5 and named <= numbers_in(s)]
    if not qterms or any(PERCENT.search(sentences[i]) for i in about):
        return None
    whole = _whole_of(qterms, sentences, named, ctx)
    if whole is not None:
        w, wi = whole
        rest = [t for t in qterms if not has_term(t, set(terms(ctx[wi])))]
        part = _part_named(rest, sentences, exclude=wi, context=ctx) if rest else None
        like = part is not None and unit_after(part[0], sentences[part[1]]) == unit_after(w, sentences[wi])
        if like and float(w) > float(part[0]) and named <= numbers_in(sentences[part[1]] + sentences[wi]):
            return Computation((part[0], w), ("/",), percent=True), tuple(sorted({wi, part[1]}))
    for i in about:
        pair = _whole_and_part(sentences[i])
        if pair:
            return Computation((pair[1], pair[0]), ("/",), percent=True), (i,)
    return None


def _covers(wanted: list[str], sentence: str) -> float:
    """The share of ``wanted`` terms that ``sentence`` mentions."""
    have = set(terms(sentence))
    return sum(has_term(t, have) for t in wanted) / len(wanted) if wanted else 0.0


def _whole_of(
    subject: list[str], sentences: list[str], named: set[str] = frozenset(), context: list[str] | None = None
) -> tuple[str, int] | None:
    """The whole of the sentence that states a part of a whole and best names ``subject`` (read
    with its ``context``) and the figures the question names, when one does."""
    best: tuple[float, str, int] | None = None
    ctx = context or sentences
    for i, s in enumerate(sentences):
        pair = _whole_and_part(s)
        score = _covers(subject, ctx[i]) + (named <= numbers_in(s))
        if pair and score - (named <= numbers_in(s)) >= 0.5 and (best is None or score > best[0]):
            best = (score, pair[0], i)
    return (best[1], best[2]) if best else None


def _part_named(
    wanted: list[str], sentences: list[str], exclude: int, context: list[str] | None = None
) -> tuple[str, int] | None:
    """The number written closest to a word of ``wanted`` (one before it preferred), in the first
    other sentence that (with its ``context``) names at least half of them; years are not counts."""
    ctx = context or sentences
    for i, s in enumerate(sentences):
        if i == exclude or _covers(wanted, ctx[i]) < 0.5:
            continue
        toks = _TOKEN.findall(s)
        at = [k for k, t in enumerate(toks) if any(has_term(w, set(terms(t))) for w in wanted)]
        nums = [(k, n) for k, t in enumerate(toks) for n in numbers_in(t) if not YEAR.fullmatch(n)]
        if at and nums:
            k, n = min(nums, key=lambda kn: min(abs(kn[0] - a) + (0.5 if kn[0] > a else 0) for a in at))
            return n, i
    return None


def average(
    question: str, sentences: list[str], context: list[str] | None = None
) -> tuple[Computation, tuple[int, ...], str] | None:
    """For "how much is each …" or "the average yearly …": an amount divided by the count it is
    spread over, from one sentence about the question: the count written before what the question
    names ("41 anchor projects worth 1.4 trillion tenge"), or the years of a range ("from 2019 to
    2023", five). Returns the computation, the sentence's index and what the count counts.

    >>> s = ["Plans include 326 activities.", "They run 41 anchor projects worth 1.4 trillion tenge."]
    >>> c, where, note = average("About how much is each anchor project worth?", s)
    >>> c.render(), where
    ('1.4 trillion tenge / 41 = 34.1 billion tenge', (1,))
    >>> c, _, note = average("What was the average yearly allocation?", ["5 bn were allocated from 2019 to 2023."])
    >>> c.render(), note
    ('5 / 5 = 1 bn', 'a year over the 5 years 2019-2023')
    """
    if not ASKS_AVERAGE.search(question) and not PER_YEAR.search(question):
        return None
    qterms = [t for t in focus_terms(PER_YEAR.sub(" ", ASKS_AVERAGE.sub(" ", question))) if not t[0].isdigit()]
    named = numbers_in(question)
    ctx = context or sentences
    ranked = sorted(range(len(sentences)), key=lambda i: -_covers(qterms, ctx[i]))
    for i in ranked:
        s = sentences[i]
        if _covers(qterms, ctx[i]) < 0.5 or not named <= numbers_in(s):
            continue
        amounts = [n for n in _figures(s) if unit_after(n, s) not in ("", "%")]
        counted = _per_year(question, s) if PER_YEAR.search(question) else _count_of(qterms, s)
        if amounts and counted:
            count, note = counted
            return Computation((amounts[0], count), ("/",), unit_after(amounts[0], s)), (i,), note
    return None


def _figures(sentence: str) -> list[str]:
    """The numbers of a sentence in order, years left out."""
    return [n for t in _TOKEN.findall(sentence) for n in numbers_in(t) if not YEAR.fullmatch(n)]


def _per_year(question: str, sentence: str) -> tuple[str, str] | None:
    """The number of years of the range the question (or else the sentence) names."""
    m = YEAR_RANGE.search(question) or YEAR_RANGE.search(sentence)
    if not m or int(m.group(2)) <= int(m.group(1)):
        return None
    n = int(m.group(2)) - int(m.group(1)) + 1
    return str(n), f"a year over the {n} years {m.group(1)}-{m.group(2)}"


def _count_of(wanted: list[str], sentence: str) -> tuple[str, str] | None:
    """A count written just before a word the question names ("41 anchor projects")."""
    toks = _TOKEN.findall(sentence)
    for k, t in enumerate(toks):
        n = next(iter(numbers_in(t)), "")
        if not n or YEAR.fullmatch(n) or unit_after(n, sentence) or float(n) <= 1:
            continue
        after = [w for tok in toks[k + 1 : k + 3] for w in terms(tok)]
        if any(has_term(w, set(after)) for w in wanted):
            return n, ""
    return None
