"""Grounding checks: does an answer say, of what the question asks about, what its cited
sentences say? Each returns True when the answer passes.

An answer can hold only words and numbers of its sentences and still not answer: it may join a
sentence that names the thing asked about to another that says the rest of something else, read a
date off another thing's title, say "yes" where its sentence says "no", or give no figure where
the question asks how many.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from qa.check import focus_terms, names_in
from qa.lexicon import (
    AFFIRMS,
    ASKS_COUNT,
    ASKS_DATE,
    ASKS_NAMED_KIND,
    ASKS_NUMBER,
    ASKS_SUM_OF_MONEY,
    CHANGE_DOWN,
    CLAUSE_BREAK,
    COUNTED_NOUN_END,
    DIGITS,
    FALLS,
    HOW_MANY_NOUN,
    MARKUP,
    MEASURED,
    MONEY_FIGURE,
    MONTHS,
    NAME_OF_KIND,
    NEGATES,
    NONE_WORDS,
    PERCENT,
    PERCENT_CHANGE,
    RISES,
    YEAR,
    YEAR_BOUND,
    YEAR_RANGE,
    YES_NO_ASK,
)
from qa.text import NUMBER_WORDS, STOPWORDS, cased_words, has_term, listings, numbers_in, stem, terms, words


def figure_about_names(
    answer: str, spans: list[str], question: str, document_names: set[str], asks_number: bool = False
) -> bool:
    """For a question asking a number or date about something it names ("When was the Foo Bar
    License published?"), a span that gives one of the answer's numbers also mentions one of
    those names (document-name words aside): a date read off another thing's title is no answer.
    A name that the span gives only as one of a list with others the question does not name is
    not its subject: "the plans of Altay, Balkhash and Ridder include 326 activities" gives no
    figure of Ridder's plan. ``asks_number``: the question asks a figure whatever its words (a
    calculation's operands).

    >>> q = "When was the GNU Affero General Public License published?"
    >>> figure_about_names("It was published on 29 June 2007.", ["GNU GENERAL PUBLIC LICENSE Version 3, 29 June 2007"], q, {"gnu", "general", "public", "license"})
    False
    >>> figure_about_names("It was published in 2007.", ["The Affero License came out in 2007."], q, {"license"})
    True
    >>> s = ["The plans of Altay, Balkhash and Ridder include 326 activities."]
    >>> figure_about_names("326", s, "How many activities does Ridder's plan include?", set())
    False
    >>> figure_about_names("326", s, "How many activities do the plans of Altay, Balkhash and Ridder include?", set())
    True
    """
    if not asks_number and not ASKS_NUMBER.match(question):
        return True
    wanted = {stem(n) for n in names_in(question)} - document_names
    said = numbers_in(answer) - numbers_in(question)
    if not wanted or not said:
        return True
    giving = [beside_lists(s, wanted) for s in spans if numbers_in(s) & said]
    return not giving or any(has_term(w, set(terms(s))) for s in giving for w in wanted)


def beside_lists(text: str, wanted: set[str]) -> str:
    """``text`` without its lists of names that name more than the ``wanted`` (stemmed) names.

    >>> beside_lists("Plans of Altay, Balkhash and Ridder: 326 activities.", {"ridder"})
    'Plans of : 326 activities.'
    """
    for start, end, _ in reversed(listings(text)):
        items = set(terms(text[start:end]))
        if not all(any(has_term(w, {t}) for w in wanted) for t in items - STOPWORDS):
            text = text[:start] + text[end:]
    return text


def words_about_names(
    answer: str, sentences: list[str], contexts: list[str], question: str, document_names: set[str]
) -> bool:
    """For a question that names something ("… the backbone enterprise in Lisakovsk?"), a sentence
    that gives the answer's own words (those the question does not have) mentions one of those
    names, itself or with the sentence before it (``contexts``): an answer that joins a sentence
    naming it to one that says the rest of something else is no answer.

    >>> q = "Which company is the backbone enterprise in Lisakovsk?"
    >>> s = ["The plans of Altay, Lisakovsk and Ridder.", "The projects encompass mining and chemical industries."]
    >>> words_about_names("The backbone enterprise in Lisakovsk is the mining industry.", s, s, q, set())
    False
    >>> s = ["In Lisakovsk, the backbone enterprise mines iron ore."]
    >>> words_about_names("Lisakovsk's backbone enterprise mines iron ore.", s, s, q, set())
    True
    """
    wanted = {stem(n) for n in names_in(question)} - document_names
    new = set(terms(answer)) - set(terms(question))
    if not wanted or not new:
        return True
    giving = [c for s, c in zip(sentences, contexts, strict=True) if new & set(terms(s))]
    return not giving or any(has_term(w, set(terms(c))) for c in giving for w in wanted)


def figures_named(question: str, answer: str, contexts: list[str]) -> bool:
    """A figure the question writes in digits ("the 128-bit hash", "in 2024") that the answer
    repeats is in the cited sentences (``contexts``: each with the sentence before it, its
    headings and its document's name): a sentence about another figure's thing does not answer.
    Digits inside a name ("mmh3") are no figure.

    >>> q = 'What is the 128-bit mmh3 hash of b"foo"?'
    >>> figures_named(q, "The 128-bit hash is -156908512.", ['>>> mmh3.hash(b"foo")  # -156908512'])
    False
    >>> figures_named("How much will be allocated in 2024?", "62.8 bn in 2024.", ["In 2024, this amount will reach 62.8 bn."])
    True
    """
    asked = set().union(set(), *(numbers_in(m) for m in DIGITS.findall(question)))
    claimed = asked & set().union(set(), *(numbers_in(m) for m in DIGITS.findall(answer)))
    return claimed <= set().union(set(), *(numbers_in(c) for c in contexts))


def figure_of_period(question: str, answer: str, sentences: list[str]) -> bool:
    """For a question that names years ("in 2019-2023"), a sentence that gives one of the answer's
    figures does not name only other years ("In 2024, … 31.2 billion"): a figure of another period is
    no answer. Years the answer gives are not figures here.

    >>> q = "How much of the 2019-2023 funding came from the budget?"
    >>> figure_of_period(q, "31.2 billion tenge.", ["In 2024, it will reach 62.8 billion, including 31.2 billion."])
    False
    >>> figure_of_period(q, "184 billion tenge.", ["From 2019 to 2023, 348.4 billion, including 184 billion."])
    True
    >>> figure_of_period("How much has been spent since 2019?", "62.8 billion.", ["In 2024, 62.8 billion."])
    True
    """
    asked = set() if YEAR_BOUND.search(question) else _years(question)  # "since 2019": later years are asked
    said = {n for n in numbers_in(answer) - numbers_in(question) if not YEAR.fullmatch(n)}
    if not asked or not said:
        return True
    giving = [_years(s) for s in sentences if numbers_in(s) & said]
    return not giving or any(not years or years & asked for years in giving)


def figure_of_measure(question: str, answer: str, sentences: list[str]) -> bool:
    """For a question that names a thing by its measure ("the 128-bit hash"), a sentence that gives
    one of the answer's figures does not name only another measure of that kind ("a 32-bit int"):
    a figure of the other thing is no answer.

    >>> q = 'What is the 128-bit mmh3 hash of b"foo"?'
    >>> figure_of_measure(q, "It is -156908512.", ['>>> mmh3.hash(b"foo")  # returns a 32-bit signed int -156908512'])
    False
    >>> figure_of_measure(q, "It is 0x5c3.", ['The 128-bit hash of b"foo" is 0x5c3 (a 32-bit word each).'])
    True
    >>> s = ["After the 30-day notice, a fee of 5 euros is due; after the 60-day one, 9 euros."]
    >>> figure_of_measure("What fee is due after the 30-day notice?", "5 euros.", s)
    True
    >>> figure_of_measure("What fee is due after the 30-day notice?", "9 euros.", ["After the 60-day notice, 9 euros."])
    False
    """
    asked = {(n, unit.lower()) for n, unit in MEASURED.findall(question)}
    said = numbers_in(answer) - numbers_in(question)
    if not asked or not said:
        return True
    units = {u for _, u in asked}
    for s in sentences:
        if not numbers_in(s) & said:
            continue
        theirs = {(n, u.lower()) for n, u in MEASURED.findall(s) if u.lower() in units}
        if theirs and not theirs & asked:
            return False
    return True


def figure_of_clause(question: str, answer: str, sentences: list[str]) -> bool:
    """A sentence that gives figures in two clauses gives the answer's figure in the clause that
    names more of what the question asks (its words and figures): "three" is not how many projects
    are under implementation in "Nine projects are under implementation, while three projects stand idle".

    >>> s = ["Nine projects are under implementation, while three projects stand idle."]
    >>> q = "How many anchor projects are still under implementation?"
    >>> figure_of_clause(q, "Three projects are still under implementation.", s), figure_of_clause(q, "Nine.", s)
    (False, True)
    >>> figure_of_clause("How many stand idle?", "Three projects stand idle.", s)
    True
    >>> s = ["In 2024, this amount will reach 62.8 billion tenge, including 31.2 billion tenge from the budget."]
    >>> figure_of_clause("How much will be allocated in 2024?", "31.2 billion tenge.", s)
    False
    >>> figure_of_clause("How much of it comes from the budget in 2024?", "31.2 billion tenge.", s)
    True
    """
    said = {n for n in numbers_in(answer) - numbers_in(question) if not YEAR.fullmatch(n)}
    if not said:
        return True
    wanted, figures = focus_terms(question), numbers_in(question)
    for s in sentences:
        scored = []
        for clause in CLAUSE_BREAK.split(s):
            have = set(terms(clause))
            named = sum(has_term(t, have) for t in wanted) + len(figures & numbers_in(clause))
            scored.append((numbers_in(clause) - figures, named))
        mine = [n for found, n in scored if found & said]
        others = [n for found, n in scored if found and not found & said]
        if mine and others and max(others) > max(mine):
            return False
    return True


def name_of_kind(question: str, answer: str, sentences: list[str]) -> bool:
    """For a question asking which thing of a kind ("Which agency reported this?"), the answer gives
    the name that a cited sentence gives that kind ("Kazinform News Agency reports"), not another
    name of the sentence ("the Cabinet").

    >>> s = ["At today's meeting of the Cabinet, the minister spoke, Kazinform News Agency reports."]
    >>> name_of_kind("Which agency reported this?", "The Cabinet.", s), name_of_kind("Which agency?", "Kazinform.", s)
    (False, True)
    >>> name_of_kind("Which towns are weakest?", "Temirtau and Balkhash.", ["The weakest are Temirtau and Balkhash."])
    True
    >>> name_of_kind("Which license?", "The MIT License.", ["Not the Apache License but the MIT License."])
    True
    """
    named, said = names_of_kind(question, sentences), {w.lower() for w in words(answer)}
    return not named or any(n & said for n in named)


def names_of_kind(question: str, sentences: list[str]) -> list[set[str]]:
    """The names (as sets of lower-cased words) that ``sentences`` give things of the kind the
    question asks for ("Which agency …?": "Kazinform News Agency" -> {"kazinform", "news"}).

    >>> [sorted(n) for n in names_of_kind("Which agency reported this?", ["It was Kazinform News Agency."])]
    [['kazinform', 'news']]
    """
    asked = ASKS_NAMED_KIND.search(question)
    if not asked or asked.group(1).lower() in STOPWORDS:
        return []
    kind = stem(asked.group(1).lower())
    return [
        {w.lower() for w in m.group(1).split()}
        for s in sentences
        for m in NAME_OF_KIND.finditer(s)
        if stem(m.group(2).lower()) == kind
    ]


def _years(text: str) -> set[int]:
    """The years ``text`` names, a range's years between its ends included.

    >>> sorted(_years("from 2019 to 2021, and in 2024"))
    [2019, 2020, 2021, 2024]
    """
    found = {int(y) for y in YEAR.findall(text)}
    for a, b in YEAR_RANGE.findall(text):
        found |= set(range(int(a), int(b) + 1)) if 0 < int(b) - int(a) < 50 else set()
    return found


def gives_asked_kind(question: str, answer: str) -> bool:
    """An answer to "on what date / in which year / when was …" holds a date, and one to "how
    many …" a number (or "none"), links and image labels aside: a heading or a badge line is no
    answer to them.

    >>> gives_asked_kind("On what date was the licence published?", "Mozilla Public License Version 2.0")
    False
    >>> gives_asked_kind("When was version 2.0 issued?", "Version 2.0, January 2004")
    True
    >>> gives_asked_kind("How many times a month is it downloaded?", "[![Downloads](https://x.org/badge/5.2)](https://x.org)")
    False
    >>> gives_asked_kind("How many projects are idle?", "None of them.")
    True
    """
    text = MARKUP.sub(" ", answer)
    if ASKS_DATE.search(question):
        return bool(YEAR.search(text) or MONTHS & set(words(text)))
    if ASKS_COUNT.search(question):
        return bool(numbers_in(text) or NONE_WORDS & set(words(text)))
    return True


def counted_noun(question: str) -> list[str]:
    """The terms of what a "how many" question counts, up to the first verb or preposition.

    >>> counted_noun("How many jobs per project have been created?"), counted_noun("How many anchor projects are idle?")
    (['job'], ['anchor', 'project'])
    >>> counted_noun("How many of them are idle?"), counted_noun("What is it?")
    ([], [])
    """
    m = HOW_MANY_NOUN.search(question)
    if m is None:
        return []
    noun: list[str] = []
    for w in m.group(1).split():
        if w.lower() in STOPWORDS or w.lower() in COUNTED_NOUN_END:
            break
        noun += [t for t in terms(w) if not t[0].isdigit()]
    return noun


def gives_kind_said(question: str, sentence: str, context: str) -> str | None:
    """Why a sentence picked as an answer for its words does not give what the question asks, or
    None: a sum of money asked ("the combined value") and none written; a count asked of a thing
    ("how many jobs") that the sentence, read with its context, never names.

    >>> gives_kind_said("What is the combined value of the idle projects?", "Three projects stand idle.", "")
    'no sentence about the question gives the sum of money it asks for'
    >>> gives_kind_said("How many jobs have the projects created?", "29 projects operate.", "") is not None
    True
    >>> gives_kind_said("How many projects operate?", "29 projects operate.", "") is None
    True
    """
    if ASKS_SUM_OF_MONEY.search(question) and not MONEY_FIGURE.search(sentence):
        return "no sentence about the question gives the sum of money it asks for"
    noun = counted_noun(question)
    if noun and not any(has_term(t, set(terms(f"{context} {sentence}"))) for t in noun):
        return f"no sentence about the question counts the {' '.join(noun)} it asks about"
    return None


def contradicts(question: str, answer: str, spans: list[str]) -> bool:
    """The answer to a yes/no question (one that does not negate itself) says the opposite of the
    sentences it cites: "Yes" where they negate, or a negation where none of them does (a small
    model drops or adds a "not").

    >>> contradicts("Are patent rights waived?", "Yes, patent rights are waived.", ["No patent rights are waived."])
    True
    >>> contradicts("Are patent rights waived?", "No, they are not.", ["No patent rights are waived."])
    False
    >>> contradicts("Are patent rights waived?", "No, they are not waived.", ["All patent rights are waived."])
    True
    >>> contradicts("Can I use it without paying?", "Yes. [1]", ["You need not pay."])  # the question negates too
    False
    """
    if not YES_NO_ASK.match(question) or NEGATES.search(question):
        return False
    cited_no = any(NEGATES.search(s) for s in spans)
    if AFFIRMS.match(answer):
        return cited_no and not NEGATES.search(AFFIRMS.sub("", answer))
    return bool(NEGATES.search(answer)) and not cited_no


def reverses(answer: str, spans: list[str]) -> bool:
    """The answer says a percentage went the other way than the sentence it cites says ("grew by
    15%" where the sentence says "15% less"): a small model follows a question's false premise.

    >>> s = ["In 2023, output made 18.5 trillion tenge, which is 15% less compared to 2022."]
    >>> reverses("Industrial output grew by 15% compared to 2022.", s), reverses("It fell by 15%.", s)
    (True, False)
    >>> reverses("It was 18.5 trillion tenge, 15% less than in 2022.", s), reverses("It grew by 40%.", s)
    (False, False)
    """
    stated = {m.group(1): m.group(2).lower() in CHANGE_DOWN for s in spans for m in PERCENT_CHANGE.finditer(s)}
    said = {m.group(1) for m in PERCENT.finditer(answer)} & set(stated)
    up, down = bool(RISES.search(answer)), bool(FALLS.search(answer))
    return any((up and not down) if stated[n] else (down and not up) for n in said)


def misquotes(answer: str, spans: list[str], context: int = 3) -> bool:
    """The answer copies a cited sentence's words around a figure or a name but gives another one
    there ("Three projects are under implementation" from "Nine projects are under implementation,
    while three …"): a figure or name it writes where a sentence has another, with at least
    ``context`` of that sentence's words right after it, and that no cited sentence has in its
    place followed by as many of the answer's words.

    >>> s = ["Nine projects are under implementation, while three projects stand idle."]
    >>> misquotes("Three projects are under implementation, while three stand idle.", s)
    True
    >>> misquotes("Three projects stand idle.", s), misquotes("Nine projects are under implementation.", s)
    (False, False)
    >>> two = ["In 2019-2023, 348.4 billion, including 184 billion from the budget.",
    ...        "In 2024, 62.8 billion, including 31.2 billion from the budget."]
    >>> misquotes("In 2024 it is 62.8 billion, including 31.2 billion from the budget.", two)
    False
    >>> towns = ["The weakest are Temirtau, Balkhash and Kulsary.", "Meanwhile, Stepnogorsk, Balkhash and Karazhal report a decline."]
    >>> misquotes("Temirtau, Balkhash, and Karazhal report a decline.", towns)
    True
    >>> misquotes("Temirtau, Balkhash and Kulsary are the weakest; Balkhash and Karazhal report a decline.", towns)
    False
    """
    names = names_in(answer).union(*(names_in(s) for s in spans))
    said_as_written = cased_words(answer)
    said = [NUMBER_WORDS.get(w.lower(), w.lower()) for w in said_as_written]
    changed: dict[int, int] = {}  # answer word -> the most words after it that a sentence has after another
    kept: dict[int, int] = {}  # answer word -> the most words after it that a sentence has after it too
    for span in spans:
        as_written = cased_words(span)
        written = [NUMBER_WORDS.get(w.lower(), w.lower()) for w in as_written]
        ops = SequenceMatcher(a=said, b=written, autojunk=False).get_opcodes()
        for k, (tag, i1, i2, j1, j2) in enumerate(ops):
            if tag == "equal":
                kept.update({i: max(kept.get(i, 0), i2 - i - 1) for i in range(i1, i2)})
            after = ops[k + 1] if k + 1 < len(ops) else ("", 0, 0, 0, 0)
            if tag != "replace" or max(i2 - i1, j2 - j1) > 2 or after[0] != "equal" or after[2] - after[1] < context:
                continue
            i, j = i2 - 1, j2 - 1  # the word right before the copied words ("Meanwhile, Stepnogorsk, …")
            figures = numbers_in(said[i]) and numbers_in(written[j]) and numbers_in(said[i]) != numbers_in(written[j])
            if figures or _other_name(said_as_written[i], as_written[j], names):
                changed[i] = max(changed.get(i, 0), after[2] - after[1])
    return any(run > kept.get(i, -1) for i, run in changed.items())


def _other_name(said: str, written: str, names: set[str]) -> bool:
    """Two different words, both capitalised and one of them a name the texts use mid-sentence."""
    return said[:1].isupper() and written[:1].isupper() and bool({said.lower(), written.lower()} & names)
