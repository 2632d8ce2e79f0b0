"""A ratio the question asks of two figures, found in code: "how many times as many A as B", "by
what factor does A exceed B", "the ratio of A to B". Each side's figure comes from the sentence
that best names that side; a side asking a value or cost takes a sum of money, one asking how
many things takes a count. A small model picks the wrong pair too often (326 activities over 41
projects for a ratio of two sums of money) for the choice to rest on it.

>>> s = ["29 out of 41 anchor projects are operating successfully today.",
...      "Nine projects are under implementation, while three projects stand idle."]
>>> ratio_of("How many times as many anchor projects operate successfully as stand idle?", s)[0].render()
'29 / 3 = 9.67 times'
>>> ratio_of("What is the ratio of projects standing idle to those operating successfully?", s)[0].render()
'3 / 29 = 0.103 times'
>>> s = ["348.4 bn were allocated in 2019-2023, including 184 bn from the national budget.",
...      "In 2024, 62.8 bn, including 31.2 bn from the national budget."]
>>> ratio_of("How many times larger is the national budget's 2019-2023 share than its 2024 share?", s)[0].render()
'184 / 31.2 = 5.9 times'
>>> s = ["They run 41 anchor projects worth 1.4 trillion tenge.", "The plans hold 326 activities of 456.6 billion tenge."]
>>> ratio_of("By what factor does the value of the anchor projects exceed the cost of the plans?", s)[0].render()
'1.4 trillion tenge / 456.6 billion tenge = 3.07 times'
"""

from __future__ import annotations

from qa.check import covers
from qa.lexicon import ASKS_MONEY, ASKS_RATIO, ASKS_TOTAL, CURRENCIES, RATIO_LEAD, RATIO_SPLIT, YEAR, YEAR_RANGE
from qa.text import has_term, numbers_in, terms

from .arith import TOKEN, Computation, kind_of, magnitude, per_operand, same_kind, unit_after, whole_and_part


def sides(question: str) -> tuple[str, str] | None:
    """What a ratio question compares, as two phrases, or None.

    >>> sides("What is the ratio of operating projects to idle ones?")
    ('operating projects', 'idle ones')
    >>> sides("By what factor does the value of the projects exceed the cost of the plans?")
    ('value of the projects', 'the cost of the plans')
    """
    m = ASKS_RATIO.search(question)
    if m is None:
        return None
    rest = RATIO_LEAD.sub("", question[m.end() :].strip(" ?"), count=1)
    cut = RATIO_SPLIT.search(rest)
    if cut is None:
        return None
    a, b = rest[: cut.start()].strip(" ,"), rest[cut.end() :].strip(" ,?")
    return (a, b) if _named(a) and _named(b) else None


def ratio_of(
    question: str, sentences: list[str], context: list[str] | None = None, about: float = 0.5
) -> tuple[Computation, tuple[int, ...]] | None:
    """The larger side's figure over the smaller's ("the ratio of A to B": A's over B's), with the
    indices of their sentences; None when the question asks no ratio, a side names no figure, or
    the figures are of different kinds."""
    pair = sides(question)
    if pair is None:
        return None
    ctx = context or sentences
    a_terms, b_terms = _named(pair[0]), _named(pair[1])
    a = _figure(pair[0], a_terms, b_terms, sentences, ctx, about=about)
    b = _figure(pair[1], b_terms, a_terms, sentences, ctx, taken=a, about=about)
    if b is None and a is not None:  # "… than its 2024 contribution": the side is of what the first names
        b = _figure(pair[1], b_terms + [t for t in a_terms if t not in b_terms], [], sentences, ctx, a, about)
    if a is None or b is None or a == b:
        return None
    found = [a, b]  # "the ratio of A to B" is A / B; "how many times …" the larger over the smaller
    if not ASKS_RATIO.search(question).group().lower().startswith("ratio"):
        found.sort(key=lambda f: -float(f[0]) * magnitude(unit_after(f[0], sentences[f[1]])))
    operands, srcs = tuple(f[0] for f in found), [sentences[f[1]] for f in found]
    if not same_kind(operands, srcs):
        return None
    comp = Computation(operands, ("/",), "times", units=per_operand(operands, srcs))
    return comp, tuple(sorted({a[1], b[1]}))


def period_sum(
    question: str, sentences: list[str], context: list[str] | None = None, about: float = 0.5
) -> tuple[Computation, tuple[int, ...]] | None:
    """For a total over periods the question names ("the national budget's contributions for
    2019-2023 and for 2024 added up"): each period's figure of what the question names, from the
    sentence about that period, added; None unless it asks a total over two or more periods.

    >>> s = ["348.4 bn were allocated in 2019-2023, including 184 bn from the national budget.",
    ...      "In 2024, 62.8 bn will be allocated, including 31.2 bn from the national budget."]
    >>> period_sum("Adding up the national budget's contributions for 2019-2023 and 2024, what is the total?", s)[0].render()
    '184 + 31.2 = 215.2 bn'
    >>> period_sum("How much was allocated in 2019-2023 and 2024 combined?", s)[0].render()
    '348.4 + 62.8 = 411.2 bn'
    """
    if not ASKS_TOTAL.search(question):
        return None
    ranges = list(YEAR_RANGE.finditer(question))
    singles = [m for m in YEAR.finditer(question) if not any(r.start() <= m.start() < r.end() for r in ranges)]
    periods = sorted(ranges + singles, key=lambda m: m.start())
    if len(periods) < 2:
        return None
    subject = ASKS_TOTAL.sub(" ", YEAR.sub(" ", question))
    wanted, ctx, found = _named(subject), context or sentences, []
    for p in periods:
        f = _figure(f"{subject} {p.group()}", wanted, [], sentences, ctx, found[0] if found else None, about)
        if f is None or f in found:
            return None
        found.append(f)
    operands, srcs = tuple(f[0] for f in found), [sentences[f[1]] for f in found]
    units = per_operand(operands, srcs)
    comp = Computation(operands, ("+",) * (len(operands) - 1), unit_after(operands[0], srcs[0]), units=units)
    return comp, tuple(sorted({i for _, i in found}))


def _figure(
    side: str,
    wanted: list[str],
    other: list[str],
    sentences: list[str],
    ctx: list[str],
    taken: tuple | None = None,
    about: float = 0.5,
) -> tuple[str, int] | None:
    """The figure of the sentence that best names ``side`` (read with its context) and any year or
    figure it names (then, that shares most of its words), written
    nearest the words that set this side apart from the ``other``, not the figure the other side
    has ``taken``: (number, sentence index)."""
    # a ratio compares like with like: after the first side's figure, the second's is of its kind
    unit = unit_after(taken[0], sentences[taken[1]]) if taken else None
    money = bool(ASKS_MONEY.search(side)) if unit is None else is_money(unit)
    like = kind_of(unit) if unit is not None else None
    # "planned for 2024": of 2024; "the six towns" may list them
    named = {n for t in TOKEN.findall(side) if t[0].isdigit() for n in numbers_in(t)}
    own = [t for t in wanted if t not in other] or wanted
    words = {w.lower() for w in TOKEN.findall(side)}  # "are under implementation", word for word
    best: tuple[tuple[float, int, int], str, int] | None = None
    for i, s in enumerate(sentences):
        cover = covers(wanted, ctx[i])
        if cover < about or not named <= numbers_in(ctx[i]):
            continue
        n = _nearest(own, s, money, taken[0] if taken and taken[1] == i else "", like)
        score = (cover, len(words & {w.lower() for w in TOKEN.findall(s)}), -n[1]) if n else None
        if n is not None and (best is None or score > best[0]):
            best = (score, n[0], i)
    return (best[1], best[2]) if best else None


def _nearest(
    own: list[str], sentence: str, money: bool, taken: str = "", like: tuple[str, bool] | None = None
) -> tuple[str, int] | None:
    """The figure of ``sentence`` of the kind asked (a sum of money, else a count) nearest a word of
    ``own`` (of the unit ``like`` the other side's, when given), and its distance; in "29 out of 41 projects are operating", a side naming what the
    projects do is the part (29), one naming only the projects the whole (41)."""
    toks = TOKEN.findall(sentence)
    found = [[k for k, t in enumerate(toks) if has_term(w, set(terms(t)))] for w in own]
    found = [ks for ks in found if ks] or [[-1]]  # where each word of the side is written; else, before it
    at = [k for ks in found for k in ks]
    nums = [(k, n) for k, t in enumerate(toks) for n in numbers_in(t) if not YEAR.fullmatch(n)]
    nums = [(k, n) for k, n in nums if is_money(unit_after(n, sentence)) == money and n != taken]
    nums = [(k, n) for k, n in nums if like is None or kind_of(unit_after(n, sentence)) == like]  # tenge to tenge
    if not at or not nums:
        return None
    pair = whole_and_part(sentence)
    if pair and not money and {pair[0], pair[1]} <= {n for _, n in nums}:
        whole_at = next(k for k, n in nums if n == pair[0])
        return (pair[1], 0) if any(k > whole_at + 4 for k in at) else (pair[0], 0)

    def far(k: int) -> float:  # from each word of the side, its first (what it counts) twice over;
        # a count is written before what it counts
        gaps = [min(2 * (k - a) + 1 if k > a else a - k for a in ks) for ks in found]
        return gaps[0] + sum(gaps)

    head = [(k, n) for k, n in nums if any(0 < a - k <= 3 for a in found[0])]  # "10,000 jobs"
    k, n = min(head or nums, key=lambda kn: far(kn[0]))
    return n, int(far(k))


def is_money(unit: str) -> bool:
    """A unit of money: a currency, or a bare magnitude ("348.4 bn"); not a count ("1.4 million people").

    >>> is_money("trillion tenge"), is_money("bn"), is_money("million people"), is_money(""), is_money("%")
    (True, True, False, False, False)
    """
    rest, scaled = kind_of(unit)
    return rest.lower() in CURRENCIES or (scaled and not rest)


def _named(side: str) -> list[str]:
    """What a side is about: all its terms, generic ones too ("people", "the plans": all it names)."""
    return [t for t in terms(side) if not t[0].isdigit()]
