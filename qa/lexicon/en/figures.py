"""Figures: numbers, sums of money, magnitudes, bounds, and the questions that ask a calculation."""

from __future__ import annotations

import re

from qa.lexicon.en.dates import YEAR
from qa.lexicon.en.questions import ASKS_NUMBER, QUESTION_WORDS

PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|per ?cent)", re.I)
# "How many times as many …", "the ratio of …" (not "how many times did it meet").
_RATIO = (
    r"\bhow\s+many\s+times\b(?!\s+(?:did|does|do|has|have|had|was|were|is|are|will)\b)|"
    r"\btimes\s+(?:as|more|less|fewer|larger|bigger|greater|smaller|higher|lower)\b|\bratio\b|"
    r"\bby\s+(?:what|which)\s+(?:factor|multiple)\b"  # "by what factor does A exceed B": A / B
)
# The question asks for a figure the documents may not state but that follows from two of theirs.
ASKS_ARITHMETIC = re.compile(
    r"\b(not|other than|except|apart from|besides|excluding|beyond|without|outside|yet to|remaining|rest|left|"
    r"either\b.*\bor|or|combined|together|altogether|in all|total|sum|add(?:ed)? up|difference|gap|exceed|"
    r"by how (?:much|many)|(?:more|less|fewer)\b.*\bthan|share|ratio|proportion|fraction|percentage of|"
    rf"per ?cent(?:age)? of|average|evenly|apiece|per)\b|{_RATIO}",
    re.I,
)
# The question asks for a difference or a rest, so that an answer may subtract ("how many more …",
# "how many are not …", "by how much did it fall"): a "total" asked is not a difference.
ASKS_DIFFERENCE = re.compile(
    r"\b(not|other than|except|apart from|besides|excluding|beyond|without|outside|yet to|remain\w*|rest|left|difference|"
    r"differ\w*|gap|exceed\w*|more|less|fewer|larger|smaller|bigger|greater|higher|lower|compared?|change[sd]?|"
    r"shr[iau]nk|f[ae]ll|drop(?:ped)?|declin\w*|decreas\w*|gr[eo]w|r[io]se|increas\w*|outstanding|unspent|still)\b"
    r"|n[’']t\b",
    re.I,
)
# The question asks how many times one figure is another: a quotient, whatever operation an answer writes.
ASKS_RATIO = re.compile(_RATIO, re.I)
# After a ratio ask, the words before what is compared ("as many", "larger is the", "of" in "ratio of").
RATIO_LEAD = re.compile(
    r"^(?:(?:as\s+(?:many|much)|more|fewer|less|larger|bigger|greater|higher|lower|smaller|"
    r"is|are|was|were|does|do|did|of|the)\s+)+",
    re.I,
)
# What separates the two things a ratio compares: "A as B", "A than B", "A to B" (not "2019 to 2023").
RATIO_SPLIT = re.compile(
    r"\s+(?:as|than|exceeds?|outnumbers?|versus|vs\.?|compared\s+(?:to|with))\s+|(?<!\d)\s+to\s+(?!\d)", re.I
)
# A side of a ratio (or a question) that asks a sum of money rather than a count of things.
ASKS_MONEY = re.compile(
    r"\b(values?|valued|costs?|worth|prices?|budgets?|fund(?:s|ing|ed)?|spen[dt]|spending|allocat\w*|"
    r"invest\w*|money|financ\w*|tenge|dollars?|euros?)\b",
    re.I,
)
# The question asks how many years a period spans: a range "2023-2027" holds the answer (five, both ends counted).
ASKS_YEARS = re.compile(r"\bhow\s+many\s+(?:calendar\s+)?years\b", re.I)
STATED_YEARS = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|many)[\s-]+years?\b", re.I
)


def asks_arithmetic(question: str) -> bool:
    """The question asks for a figure computed from the documents' figures (a sum, a rest, a ratio)."""
    return bool(ASKS_ARITHMETIC.search(question))


def may_imply(question: str) -> bool:
    """The sentences may imply the figure asked, though the question asks no calculation: the years a
    range spans ("how many years …"), or a figure before a stated change ("how much did it fall",
    "what was it in 2022, before the drop"); not "Does it fall under the licence?".

    >>> may_imply("By how much did output fall?"), may_imply("Does my code fall under the licence?")
    (True, False)
    """
    changed = ASKS_CHANGE.search(question) and (ASKS_NUMBER.search(question) or YEAR.search(question))
    return bool(ASKS_YEARS.search(question) or changed)


# Words that ask for a figure a sentence often states as it is ("the total worth", "each year"): an
# answer that quotes it needs no calculation asked for again.
STATED_FIGURE = re.compile(r"\b(in total|total|in all|altogether|average|each|per|apiece)\b", re.I)
# A question that asks for the rest of a whole ("not operating", "other than the national budget",
# "yet to start"): group 2 is what the rest is not, up to a comma before the ask ("Apart from X, how many …").
NEGATION = re.compile(
    r"\b(not|other than|except|apart from|besides|excluding|beyond|without|yet to|outside(?: of)?)\b"
    rf"((?:(?!,\s*(?:and\s+)?{QUESTION_WORDS}\b).)*)",
    re.I,
)
# Part-whole phrasing in a sentence: "29 out of 41 projects" (part, whole) and "348.4 …, including 184 …"
# (whole, part). NUMBER is a number in digits.
NUMBER = r"\d[\d,]*(?:\.\d+)?"
# A figure written in digits ("128", "2019-2023", "4.0.0"), not digits inside a name ("mmh3", "x86").
DIGITS = re.compile(r"(?<![^\W\d_])\d(?:[\d,.]*\d)?(?![^\W\d_])")
# A figure and the word that says what it counts ("60 days", "41 projects", "5 %"): two neighbouring
# sentences giving one kind of figure ("60 days" … "30 days") are parallel clauses the model may mix up.
FIGURE_UNIT = re.compile(rf"(?<![\w.])({NUMBER})\s*(%|[A-Za-z]+)")
# Where one clause of a sentence ends and another, with its own figure, begins: "Nine projects are under
# implementation, while three projects stand idle"; "62.8 billion tenge, including 31.2 billion from the budget".
CLAUSE_BREAK = re.compile(r"\s*(?:;|,\s*(?=(?:while|whereas|including|but|and|compared|against|of which)\b))\s*", re.I)
PART_OF_WHOLE = re.compile(rf"({NUMBER})\s+(?:out of|of the|of)\s+({NUMBER})\b", re.I)
WHOLE_INCLUDING_PART = re.compile(rf"({NUMBER})\b[^.;]*?\binclud(?:ing|es|ed)\s+({NUMBER})\b", re.I)
# The question asks for an average: an amount divided by a count ("each", "per project", "a year").
ASKS_AVERAGE = re.compile(r"\b(average|mean|each|per|apiece|evenly)\b", re.I)
# A figure stated as a change against another period: "18.5 trillion tenge, which is 15% less compared to … 2022".
PERCENT_CHANGE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:%|per ?cent)\s+(less|lower|fewer|below|down|more|higher|above|up)\b", re.I
)
CHANGE_DOWN = {"less", "lower", "fewer", "below", "down"}  # the other period's figure was larger
# The question asks how much a figure changed ("shrink", "grew", "drop"); it may need that change computed.
ASKS_CHANGE = re.compile(
    r"\b(shr[iau]nk|fall|fell|drop(?:ped)?|declin(?:e|ed)|decreas(?:e|ed)|gr[eo]w|rise|rose|increas(?:e|ed))\b", re.I
)
# Words that say a figure went up, or down: an answer must go the way its sentence's "15% less" goes.
RISES = re.compile(r"\b(gr[eo]w(?:n|s|th)?|increas\w*|r[io]se[ns]?|up|more|higher|above|gain\w*)\b", re.I)
FALLS = re.compile(
    r"\b(f[ae]ll(?:s|en)?|drop\w*|declin\w*|decreas\w*|shr[iau]nk\w*|down|less|lower|below|fewer)\b", re.I
)
ASKS_HOW_MUCH = re.compile(r"\bhow\s+(?:much|many)\b", re.I)  # with a change word: the change is asked
# What an average is taken over: the word(s) after "per", "each", "by the number of" ("per job": jobs).
PER_WHAT = re.compile(r"\b(?:per|each|every|by the number of)\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)", re.I)
# What a "how many" question counts ("how many activities per town": activities).
HOW_MANY_OF = re.compile(r"\bhow\s+many\s+([^\W\d_]+)", re.I)
PER_YEAR = re.compile(r"\b(yearly|annual(?:ly)?|per year|a year|each year)\b", re.I)
# A year the question names as a bound ("since 2019", "before 2024"), not as the period asked about.
YEAR_BOUND = re.compile(
    r"\b(?:before|after|since|until|till|by|prior to|later than|earlier than)\s+(?:the\s+)?(?:year\s+)?(?:1[89]|20)\d\d\b",
    re.I,
)
# A bound a sentence puts on a figure ("more than 50%", "at least three years", "50% or more"): an
# answer that drops it states a bound as an exact figure. Before the figure (up to a number word
# written out before it: "more than fifty percent (50%)"), or just after it and its % or bracket.
BOUND_BEFORE = re.compile(
    r"\b(at least|at most|more than|less than|fewer than|up to|no more than|no less than|not less than|"
    r"not more than|in excess of|a minimum of|a maximum of)\s+(?:[a-z-]+\s+(?:per\s*cent\s+)?\(\s*)?$",
    re.I,
)
BOUND_AFTER = re.compile(r"^[%)]*\s*(or (?:more|less|fewer|greater|higher|lower|longer|above|below))\b", re.I)
# A number word glossed by digits just after it ("fifty percent (50%)"): one figure, read at its digits.
GLOSSED_NUMBER = re.compile(r"^\s*(?:per\s*cent\s*)?\(\s*\d", re.I)
# A figure that names a kind of thing by its measure ("the 128-bit hash", "a 30-day notice"): a
# sentence about the 32-bit one gives no figure of the 128-bit one.
MEASURED = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)-([a-z]+)\b", re.I)
# The question asks for a rounded figure.
ROUGHLY = re.compile(r"\b(about|roughly|approximately|around|nearly|almost)\b", re.I)
# The question asks for a share: a quotient, shown in per cent.
ASKS_SHARE = re.compile(r"\b(share|per ?cent|percentage|proportion|fraction)\b", re.I)
# "… / 348.4 * 100%": a quotient read in per cent (the 100 is no figure of the documents).
TIMES_100 = re.compile(r"\s*[*×x]\s*100\s*%?(?=\s*(?:=|$))", re.I)
ARITHMETIC_OPS = {"+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "×": "*", "x": "*", "/": "/", "÷": "/"}
# Words after a number that belong to its quantity and are carried into a computed result.
SMALLER_MAGNITUDE = {"trillion": "billion", "billion": "million", "million": "thousand"}
MAGNITUDES = {"thousand", "million", "billion", "trillion", "bn", "mln", "mn", "k", "m", "%", "percent", "per cent"}
# The question asks a sum of money ("how much was allocated", "the combined value"): an answer
# sentence without one does not give it.
ASKS_SUM_OF_MONEY = re.compile(
    r"\bhow\s+much\b.*\b(?:cost|worth|spen[dt]|allocat\w*|invest\w*|fund\w*|pa(?:y|id)|budget\w*)\b|"
    r"\b(?:combined|total|overall|estimated|market)\s+(?:value|cost|worth|budget|funding|investment)\b",
    re.I,
)
# A sum of money written in a sentence: "$5", "62.8 billion tenge", "1.4 trillion", "300 euros".
MONEY_FIGURE = re.compile(
    r"[$€£₸]\s?\d|\d[\d,]*(?:\.\d+)?\s*(?:(?:thousand|million|billion|trillion|bn|mln|mn)\s*)?"
    r"(?:tenge|dollars?|euros?|pounds?|roubles?|rubles?|yen|yuan|usd|eur|gbp|kzt|rub)\b|"
    r"\d[\d,]*(?:\.\d+)?\s*(?:million|billion|trillion|bn|mln)\b",
    re.I,
)
# The question asks a sum of figures ("combined", "in total", "adding up").
ASKS_TOTAL = re.compile(r"\b(combined|together|altogether|in all|in total|total|sum|add(?:ed|ing)? up)\b", re.I)
# What follows "how many": the noun it counts, then the rest ("how many jobs per project …").
HOW_MANY_NOUN = re.compile(r"\bhow\s+many\s+((?:[^\W\d_][\w'’-]*\s*){1,4})", re.I)
# Words that end the noun a "how many" question counts: "how many jobs per project" counts jobs.
COUNTED_NOUN_END = {"per", "in", "on", "at", "for", "from", "by", "with", "under", "over", "since", "so", "to"}
# Units of money: "1.4 trillion tenge" is a sum of money, "1.4 million people" a count.
CURRENCIES = {"tenge", "dollar", "dollars", "euro", "euros", "pound", "pounds", "rouble", "roubles", "ruble",
              "rubles", "yen", "yuan", "usd", "eur", "gbp", "kzt", "rub"}  # fmt: skip
# What a magnitude word multiplies by: 1.4 trillion and 456.6 billion tenge are compared as 1400 to 456.6.
MAGNITUDE_FACTOR = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "trillion": 1e12,
}  # fmt: skip
