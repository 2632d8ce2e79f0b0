"""Figures the documents imply: the rest of a whole ("how many are not operating?": 41 - 29),
a share of it ("what share came from the budget?": 184 / 348.4), an average ("each project":
1.4 trillion / 41), found in code from the sentences about the question: those that (read with the sentence before
them) mention at least ``about`` of its words (``Settings.about_share``; reason there).

>>> complement("How many projects are not operating?", ["29 out of 41 projects are operating."])
(Computation(operands=('41', '29'), ops=('-',), unit='', percent=False, units=()), (0,))
>>> years_spanned("How many years do the plans cover?", ["Plans for 2023-2027 were approved."])[0].render()
'2027 - 2023 + 1 = 5 years'
"""

from __future__ import annotations

from qa.check import covers, focus_terms
from qa.lexicon import (
    ASKS_AVERAGE,
    ASKS_CHANGE,
    ASKS_HOW_MUCH,
    ASKS_NUMBER,
    ASKS_SHARE,
    ASKS_TOTAL,
    ASKS_YEARS,
    CHANGE_DOWN,
    HOW_MANY_OF,
    NEGATION,
    PER_WHAT,
    PER_YEAR,
    PERCENT,
    PERCENT_CHANGE,
    ROUGHLY,
    STATED_YEARS,
    YEAR,
    YEAR_RANGE,
)
from qa.text import has_term, numbers_in, terms

from .arith import TOKEN, Computation, fmt, unit_after, whole_and_part
from .listed import listed_before, listed_of
from .ratios import period_sum, ratio_of
from .rests import share_of_rest, share_outside


def complement(
    question: str, sentences: list[str], context: list[str] | None = None, about: float = 0.5
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
        pair = whole_and_part(s)
        if sum(has_term(t, have) for t in excluded) < max(1, len(excluded) // 2) or pair is None:
            continue
        if named <= numbers_in(s):
            return Computation(pair, ("-",), unit_after(pair[0], s)), (i,)
        if numbers_in(s) & named:
            found.append((*pair, i))
    if len(found) < 2 or not named <= set().union(*(numbers_in(sentences[i]) for *_, i in found)):
        rest = question[: neg.start()] + question[neg.end() :]
        return _rest_across(rest, excluded, sentences, named, context, about)
    operands = tuple(n for w, p, _ in found for n in (w, p))
    ops = tuple(("+", "-")[k % 2] for k in range(1, len(operands)))
    return Computation(operands, ops, unit_after(found[0][0], sentences[found[0][2]])), tuple(i for *_, i in found)


def _rest_across(
    rest: str,
    excluded: list[str],
    sentences: list[str],
    named: set[str],
    context: list[str] | None = None,
    about: float = 0.5,
) -> tuple[Computation, tuple[int, ...]] | None:
    """Whole - part where one sentence states the whole ("29 out of 41 anchor projects …") and
    another the part the question excludes ("… while three projects stand idle"). ``rest`` is the
    question without its negated phrase: what the whole is of.

    >>> s = ["29 out of 41 anchor projects operate.", "Nine are being built, while three projects stand idle."]
    >>> _rest_across("How many anchor projects are?", ["idle"], s, set())[0].render()
    '41 - 3 = 38'
    """
    subject = [t for t in terms(rest) if not t[0].isdigit()]
    whole = _whole_of(subject, sentences, named, context, about)
    if whole is None:
        return _count_less_listed(subject, excluded, sentences, named, context, about)
    w, wi = whole
    part = _part_named(excluded, sentences, exclude=wi, context=context, about=about)
    if part is None or not float(w) > float(part[0]):
        return None
    p, pi = part
    if not named <= numbers_in(sentences[wi]) | numbers_in(sentences[pi]):
        return None
    return Computation((w, p), ("-",), unit_after(w, sentences[wi])), tuple(sorted({wi, pi}))


def _count_less_listed(
    subject: list[str],
    excluded: list[str],
    sentences: list[str],
    named: set[str],
    context: list[str] | None = None,
    about: float = 0.5,
) -> tuple[Computation, tuple[int, ...]] | None:
    """A count of what the question asks about ("There are 20 towns") less how many of them another
    sentence, about what the question excludes, lists by name ("the plans of Altay, … and Ridder towns").

    >>> s = ["There are 20 towns in the region.", "The plans of Altay, Balkhash and Ridder towns were approved."]
    >>> _count_less_listed(["town"], ["plan", "approv"], s, set())[0].render()
    '20 - 3 = 17'
    """
    ctx = context or sentences
    whole = next(((c[0], i) for i, s in enumerate(sentences) if (c := _count_of(subject, s))), None)
    if whole is None:
        return None
    for i, s in enumerate(sentences):
        part = listed_of(subject, s) if i != whole[1] and covers(excluded, ctx[i]) >= about else None
        if part and float(whole[0]) > float(part[0]) and named <= numbers_in(s + sentences[whole[1]]):
            return Computation((whole[0], part[0]), ("-",)), tuple(sorted({whole[1], i}))
    return None


def share_of_whole(
    question: str, sentences: list[str], context: list[str] | None = None, about: float = 0.5
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
    on = [i for i, s in enumerate(sentences) if covers(qterms, ctx[i]) >= about and named <= numbers_in(s)]
    if not qterms or any(PERCENT.search(sentences[i]) for i in on):
        return None
    whole = _whole_of(qterms, sentences, named, ctx, about)
    if whole is not None:
        w, wi = whole
        rest = [t for t in qterms if not has_term(t, set(terms(ctx[wi])))]
        part = _part_named(rest, sentences, exclude=wi, context=ctx, about=about) if rest else None
        like = part is not None and unit_after(part[0], sentences[part[1]]) == unit_after(w, sentences[wi])
        if like and float(w) > float(part[0]) and named <= numbers_in(sentences[part[1]] + sentences[wi]):
            return Computation((part[0], w), ("/",), percent=True), tuple(sorted({wi, part[1]}))
    for i in on:
        pair = whole_and_part(sentences[i])
        if pair:
            return Computation((pair[1], pair[0]), ("/",), percent=True), (i,)
    return None


def _whole_of(
    subject: list[str],
    sentences: list[str],
    named: set[str] = frozenset(),
    context: list[str] | None = None,
    about: float = 0.5,
) -> tuple[str, int] | None:
    """The whole of the sentence that states a part of a whole and best names ``subject`` (read
    with its ``context``) and the figures the question names, when one does."""
    best: tuple[float, str, int] | None = None
    ctx = context or sentences
    for i, s in enumerate(sentences):
        pair = whole_and_part(s)
        score = covers(subject, ctx[i]) + (named <= numbers_in(s))
        if pair and score - (named <= numbers_in(s)) >= about and (best is None or score > best[0]):
            best = (score, pair[0], i)
    return (best[1], best[2]) if best else None


def _part_named(
    wanted: list[str], sentences: list[str], exclude: int, context: list[str] | None = None, about: float = 0.5
) -> tuple[str, int] | None:
    """The number written closest to a word of ``wanted`` (one before it preferred), in the first
    other sentence that (with its ``context``) names at least ``about`` of them; years are not counts."""
    ctx = context or sentences
    for i, s in enumerate(sentences):
        if i == exclude or covers(wanted, ctx[i]) < about:
            continue
        toks = TOKEN.findall(s)
        at = [k for k, t in enumerate(toks) if any(has_term(w, set(terms(t))) for w in wanted)]
        nums = [(k, n) for k, t in enumerate(toks) for n in numbers_in(t) if not YEAR.fullmatch(n)]
        if at and nums:
            k, n = min(nums, key=lambda kn: min(abs(kn[0] - a) + (0.5 if kn[0] > a else 0) for a in at))
            return n, i
    return None


def average(
    question: str, sentences: list[str], context: list[str] | None = None, about: float = 0.5
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
    >>> s = ["Roads for 2023-2027 were approved.", "These roads need 10 bn.", "In 2024, roads get 4 bn."]
    >>> ctx = [s[0], f"{s[0]} {s[1]}", f"{s[1]} {s[2]}"]
    >>> average("What do the 2023-2027 roads need per year?", s, ctx)[0].render()  # the years are in the context
    '10 / 5 = 2 bn'
    >>> average("What do the 2023-2027 roads need per year?", s[2:], [f"{s[0]} {s[2]}"])  # of its own year, 2024
    """
    if not ASKS_AVERAGE.search(question) and not PER_YEAR.search(question):
        return None
    qterms = [t for t in focus_terms(PER_YEAR.sub(" ", ASKS_AVERAGE.sub(" ", question))) if not t[0].isdigit()]
    named = numbers_in(question)
    ctx = context or sentences
    ranked = sorted(range(len(sentences)), key=lambda i: -covers(qterms, ctx[i]))
    for i in ranked:
        s = sentences[i]
        years = {n for n in numbers_in(s) if YEAR.fullmatch(n)}  # a sentence of its own year is of no other
        if covers(qterms, ctx[i]) < about or not named <= numbers_in(s if years else ctx[i]):  # "… 2023-2027. These …"
            continue
        amounts = _amounts(question, s)
        counted = _per_year(question, s) if PER_YEAR.search(question) else _count_over(question, qterms, s)
        where: tuple[int, ...] = (i,)
        if PER_YEAR.search(question) and not counted and i and ctx[i].startswith(sentences[i - 1]):
            counted, where = _per_year(question, sentences[i - 1]), (i - 1, i)  # "plans for 2023-2027. These …"
        if not PER_YEAR.search(question) and (listed := listed_before(question, i, sentences, ctx)):
            counted, where = listed, (i - 1, i)  # "Altay, … and Ridder towns' plans. These plans include …"
        if amounts and counted and not (HOW_MANY_OF.search(question) and counted[0] == amounts[0]):  # not 326 / 326
            count, note = counted
            return Computation((amounts[0], count), ("/",), unit_after(amounts[0], s)), where, note
    return None


def _amounts(question: str, sentence: str) -> list[str]:
    """What an average divides: the count of what a "how many" question counts ("how many activities
    per town": "326 activities"), else the amounts with a unit ("1.4 trillion tenge").

    >>> s = "Plans of Altay, Balkhash and Ridder towns include 326 activities worth 456.6 billion tenge."
    >>> _amounts("How many activities per town?", s), _amounts("How much money per town?", s)
    (['326'], ['456.6'])
    """
    amounts = [n for n in _figures(sentence) if unit_after(n, sentence) not in ("", "%")]
    many = HOW_MANY_OF.search(question)
    if many is None:
        return amounts
    what = [t for t in terms(many.group(1)) if not t[0].isdigit()]
    counted = _count_of(what, sentence)
    if counted:
        return [counted[0]]
    return [n for n in amounts if any(has_term(w, set(terms(unit_after(n, sentence)))) for w in what)]


def _figures(sentence: str) -> list[str]:
    """The numbers of a sentence in order, years left out."""
    return [n for t in TOKEN.findall(sentence) for n in numbers_in(t) if not YEAR.fullmatch(n)]


def years_spanned(
    question: str, sentences: list[str], context: list[str] | None = None, about: float = 0.5
) -> tuple[Computation, tuple[int, ...]] | None:
    """For "how many years does … cover?": the years of the range ("2023-2027", both ends counted)
    that the sentence best about the question states; None when no such sentence has one range, or
    when it states a number of years itself.

    >>> years_spanned("How many years is it supported?", ["Support for 2020-2025, that is 5 years."]) is None
    True
    """
    asked = focus_terms(question) or terms(question)  # "the plans" is a generic word, yet all it names
    qterms = [t for t in asked if not t[0].isdigit() and not has_term(t, {"year"})]
    ctx = context or sentences
    for i in sorted(range(len(sentences)), key=lambda i: -covers(qterms, ctx[i])):
        if covers(qterms, ctx[i]) < about or STATED_YEARS.search(sentences[i]):  # "for 5 years": stated
            return None
        ranges = YEAR_RANGE.findall(sentences[i])
        if len(set(ranges)) == 1 and int(ranges[0][1]) > int(ranges[0][0]):
            first, last = ranges[0]
            return Computation((last, first, "1"), ("-", "+"), "years"), (i,)
    return None


def _per_year(question: str, sentence: str) -> tuple[str, str] | None:
    """The number of years of the range the question (or else the sentence) names."""
    m = YEAR_RANGE.search(question) or YEAR_RANGE.search(sentence)
    if not m or int(m.group(2)) <= int(m.group(1)):
        return None
    n = int(m.group(2)) - int(m.group(1)) + 1
    return str(n), f"a year over the {n} years {m.group(1)}-{m.group(2)}"


def _count_over(question: str, qterms: list[str], sentence: str) -> tuple[str, str] | None:
    """The count an average is taken over: of what follows "per"/"each" in the question ("per
    job": "10,000 jobs"), else of any word it names; none when the sentence names that thing
    without a count ("per town" where the towns are listed, not counted).

    >>> _count_over("What is the value per job?", ["valu", "job"], "41 projects worth 1.4 bn create 10,000 jobs.")
    ('10000', '')
    >>> _count_over("How many activities per town?", ["activ", "town"], "326 activities in the towns' plans.") is None
    True
    """
    m = PER_WHAT.search(question)
    over = [t for t in terms(m.group(1)) if not t[0].isdigit()] if m else []
    if over and (found := _count_of(over, sentence) or listed_of(over, sentence)):
        return found
    if over and any(has_term(t, set(terms(sentence))) for t in over):
        return None
    return _count_of(qterms, sentence)


def _count_of(wanted: list[str], sentence: str) -> tuple[str, str] | None:
    """A count written just before a word the question names ("41 anchor projects")."""
    toks = TOKEN.findall(sentence)
    for k, t in enumerate(toks):
        n = next(iter(numbers_in(t)), "")
        if not n or YEAR.fullmatch(n) or unit_after(n, sentence) or float(n) <= 1:
            continue
        after = [w for tok in toks[k + 1 : k + 3] for w in terms(tok)]
        if any(has_term(w, set(after)) for w in wanted):
            return n, ""
    return None


def implied(
    question: str, sentences: list[str], context: list[str] | None = None, about: float = 0.5
) -> tuple[Computation, tuple[int, ...], str] | None:
    """The figure ``sentences`` imply for ``question``, computed: the years a range spans ("how many
    years …"), a figure before a stated change ("what was it in 2022?"), an average ("each …"), a
    share ("what share …": part / whole) or the rest of a whole ("how many … not …": whole - part,
    the rests of several added when the question names figures of several). Returns the
    computation, the sentences' indices and a note on what was counted.

    >>> c, where, note = implied("How many projects are not operating?", ["29 out of 41 projects are operating."])
    >>> c.render(), where
    ('41 - 29 = 12', (0,))
    """
    q, ctx = question, context or sentences
    if ASKS_YEARS.search(q) and not ASKS_AVERAGE.search(q) and (span := years_spanned(q, sentences, ctx, about)):
        return (*span, "")
    if change := before_change(q, sentences, ctx, about):
        return (*change, "")
    if (ASKS_NUMBER.search(q) or ASKS_AVERAGE.search(q)) and (each := average(q, sentences, ctx, about)):
        return each
    if ratio := ratio_of(q, sentences, ctx, about):
        return (*ratio, "")
    if not ASKS_NUMBER.search(q) and not ASKS_TOTAL.search(q):
        return None
    if not ASKS_SHARE.search(q):
        found = complement(q, sentences, ctx, about) or period_sum(q, sentences, ctx, about)
    elif not (found := share_outside(q, sentences, ctx, about) or share_of_whole(q, sentences, ctx, about)):
        return share_of_rest(complement(q, sentences, ctx, about))  # "what share is not …": the rest over the whole
    return (*found, "") if found else None


def before_change(
    question: str, sentences: list[str], context: list[str] | None = None, about: float = 0.5
) -> tuple[Computation, tuple[int, ...]] | None:
    """For a figure a sentence states as a change against another period ("18.5 trillion tenge,
    15% less compared to 2022"): the other period's figure (18.5 / 0.85) when the question names
    that period, or the change itself (18.5 / 0.85 - 18.5) when it asks how much it fell or grew.

    >>> s = ["In 2023, output made 18.5 trillion tenge, which is 15% less compared to 2022."]
    >>> before_change("What was the output in 2022?", s)[0].render()
    '18.5 / 0.85 = 21.8 trillion tenge'
    >>> before_change("By how much did output shrink from 2022 to 2023?", s)[0].render()
    '18.5 / 0.85 - 18.5 = 3.26 trillion tenge'
    >>> before_change("Given its drop, roughly what was the 2022 output?", s)[0].render()
    '18.5 / 0.85 = 21.8 trillion tenge'
    >>> before_change("By what percentage did output shrink from 2022?", s) is None
    True
    """
    if ASKS_SHARE.search(question):  # "by what percentage": the sentence states it
        return None
    asked = ROUGHLY.sub(" ", ASKS_CHANGE.sub(" ", question))  # how it asks, not what about
    qterms = [t for t in focus_terms(asked) if not t[0].isdigit()]
    ctx, years = context or sentences, set(YEAR.findall(question))
    for i in sorted(range(len(sentences)), key=lambda i: -covers(qterms, ctx[i])):
        s, m = sentences[i], PERCENT_CHANGE.search(sentences[i])
        if m is None or covers(qterms, ctx[i]) < about:
            continue
        base = YEAR.findall(s[m.end() :])
        amounts = [n for n in _figures(s[: m.start()]) if unit_after(n, s) not in ("", "%")]
        if not base or not amounts or base[0] not in years:
            continue
        a, down, unit = amounts[-1], m.group(2).lower() in CHANGE_DOWN, unit_after(amounts[-1], s)
        f = fmt(1 - float(m.group(1)) / 100 if down else 1 + float(m.group(1)) / 100, None)
        if not (ASKS_CHANGE.search(question) and ASKS_HOW_MUCH.search(question)):  # "what was it in 2022?"
            return Computation((a, f), ("/",), unit), (i,)
        operands, ops = ((a, f, a), ("/", "-")) if down else ((a, a, f), ("-", "/"))
        return Computation(operands, ops, unit), (i,)
    return None
