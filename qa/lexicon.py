"""Word lists and patterns the answer chain reads questions and answers with, in one place.

>>> bool(ASKS_ARITHMETIC.search("How much did not come from the national budget?"))
True
>>> bool(ASKS_ARITHMETIC.search("How many more projects operate than are being built?"))
True
>>> [bool(ASKS_RATIO.search(q)) for q in ("How many times as many operate as stand idle?",
...  "How many times did the Cabinet meet?", "What is the ratio of A to B?")]
[True, False, True]
>>> [bool(ASKS_ARITHMETIC.search(q)) for q in ("What is the total for 2019 and 2024?",
...  "By how much do working projects exceed idle ones?", "Excluding the budget, how much?", "Who spoke?")]
[True, True, True, False]
>>> NEGATION.search("Apart from those operating, how many projects are there?").group(2)
' those operating'
>>> bool(SCRIPTS["cyrillic"].search("Сколько проектов?"))
True
>>> PART_BREAK.split("How many are there, how many operate, and how much was spent?")
['How many are there', 'how many operate', 'how much was spent?']
"""

from __future__ import annotations

import re

# Words that say how a question is asked rather than what it is about: missing from the
# documents, they do not make a question unanswerable. Which way a figure went ("decrease") the
# documents say their own way ("15% less"); `grounding.reverses` checks that the answer goes that way.
GENERIC_WORDS = """happen number amount total percent percentage share portion figure value name list year date time
kind type sort part position role title purpose reason aim goal volume mention people person way thing money sum cost size level rate overall whole
threshold minimum maximum
main key new old last next first far now still currently today recently every each either both
neither per combined hold cover come came go went get got make made take took give gave show shown
see seen know known find found put keep let begin begun seem help talk turn start run move live
bring happen write provide include continue set change lead understand follow stop create speak read
allow add spend grow offer remember consider appear buy wait serve send expect build stay fall fell
cut reach remain suggest raise pass sell require decide report describe explain publish published
state note plan planned expect mean need use used work worked call called try ask do doing done does
tell told say said affect involve concern regard relate compare compared big small large high low
good bad best worst great little much many more less most least
spent paid grew grown rose risen built held kept sold bought brought began taken given spread period because
increase increased decrease decreased drop dropped shrink shrank shrunk rise factor multiple times exceed exceeds
average""".split()  # noqa: SIM905

MONTHS = set("""january february march april may june july august september october november december""".split())  # noqa: SIM905
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|per ?cent)", re.I)
# A capitalised word that does not start a sentence: a name the cited spans must hold.
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b")
# A run of names joined by commas and a last "and"/"or" ("Altay, Balkhash, and Ridder towns"): the
# documents list what they count. The last name may be lower-case as written ("… and kulsary.").
_LISTED = r"[A-Z][\w’'-]*(?:[ \t]+[A-Z][\w’'-]*)*"
LISTING = re.compile(rf"\b{_LISTED}(?:,\s*{_LISTED})+,?\s+(?:and|or)\s+(?:{_LISTED}|[a-z][\w'-]*(?=\s*[.;:!?]|\s*$))")
LISTING_SEPARATOR = re.compile(r",?\s+(?:and|or)\s+|,\s*")
# Words that open a sentence with a comma and are not the first of a list ("Meanwhile, A, B and C").
_OPENER_WORDS = """meanwhile however moreover furthermore additionally also besides then thus therefore finally
first firstly second secondly third lastly today yesterday now nevertheless nonetheless instead otherwise
similarly likewise consequently hence still indeed accordingly here there so yet again overall"""
OPENERS = set(_OPENER_WORDS.split())
# A word in capitals (an acronym, or a shouted word such as an injected "HACKED").
SHOUTED = re.compile(r"\b[A-Z]{3,}\b")
# Code an answer names: text in backticks, or an identifier joined by "." or "_" ("console.save_html",
# "hash64()"): a name like any other, that the cited spans must hold as written.
CODE_FENCE = re.compile(r"```[\w+-]*")  # a Markdown code fence and its language: the code inside is read as text
CODE_NAME = re.compile(r"`([^`\n]{1,80})`|(?<![\w.])[A-Za-z_][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+(?:\(\))?")

# The model says the documents do not answer.
NOT_FOUND = re.compile(
    r"NOT IN DOCUMENT|not (?:in|found in|mentioned in|stated in|provided in|given in) the (?:document|text)"
    r"|do(?:es)? not (?:say|contain|mention|provide|specify)|no information",
    re.I,
)
# The question asks for a number or a date.
ASKS_NUMBER = re.compile(
    r"\s*(how (many|much|long|old|big|large)|what (percentage|share|proportion|fraction|number|amount)|when|in what year)\b",
    re.I,
)
# The question asks for a date ("On what date …", "In which year …", "When was it issued?"): a
# sentence without a year or month gives none. ("When …" alone often asks for a condition.)
ASKS_DATE = re.compile(
    r"\b(?:what|which)\s+(?:date|year|month|day)\b|\bwhen\s+(?:was|were|did)\b|\b(?:release|publication)\s+date\b", re.I
)
# The question asks which of the documents it names came first or last ("Which is older, …?"): dates decide.
ASKS_ORDER = re.compile(r"\b(?:which|what)\b[^?]*?\b(?:old|new|earli|lat)(?:er|est)\b|\b(?:came|come|comes|published|released|issued|appeared)\s+(?:out\s+)?(?:first|last)\b|\bmore\s+recent\b", re.I)  # fmt: skip
# ... and asks for the last of them, not the first ("Which is newer?", "… more recent?").
ASKS_LATEST = re.compile(r"\b(?:newer|newest|later|latest|last|more\s+recent|most\s+recent)\b", re.I)
# The question asks how many: an answer gives a number, or says there are none.
ASKS_COUNT = re.compile(r"\bhow\s+many\b", re.I)
NONE_WORDS = {"none", "no", "nothing", "nobody", "zero", "neither"}
QUESTION_WORDS = r"(?:how|what|which|who|whom|whose|when|where|why)"
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
YEAR_RANGE = re.compile(r"\b(1[89]\d\d|20\d\d)\s*(?:-|–|—|to|through|until)\s*(1[89]\d\d|20\d\d)\b", re.I)
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
# The question asks for names: an answer without a proper name does not answer it.
ASKS_NAMES = re.compile(r"\b(names? of|named|called)\b", re.I)
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

# Where a question with several asks breaks into parts: a question mark followed by more text,
# or a comma / semicolon / "and" / "or" before a new question word.
PART_BREAK = re.compile(
    rf"(?:(?<=\?)\s+(?=\S)|\s*[,;]\s*(?:and\s+|or\s+)?(?={QUESTION_WORDS}\b)|\s+(?:and|or)\s+(?={QUESTION_WORDS}\b))",
    re.I,
)
LEADING_CONJUNCTION = re.compile(r"^\s*(?:and|or|also|then)\b[\s,]*", re.I)
# A piece that asks something: a question word, a leading verb ("Is ...", "Does ..."), or a "?".
# "Under GPLv3, how many days ...?" splits at the comma, but "Under GPLv3" asks nothing: it qualifies
# the ask after it.
_AUXILIARIES = r"(?:is|are|was|were|do|does|did|can|could|may|must|should|will|would|has|have|had)"
ASKS_SOMETHING = re.compile(rf"\b{QUESTION_WORDS}\b|^\s*{_AUXILIARIES}\b|\?", re.I)
# A piece that opens with "when"/"where"/"once"/"if"… followed by anything but a verb asks nothing
# either: it is a clause that sets the conditions of the ask after it ("When defining 'control' of an
# entity, what threshold …?", "If I sue, what happens …?"), unlike "When was it published, and …?".
CONDITION_CLAUSE = re.compile(
    rf"^\s*(?:(?:when|where)\s+(?!(?:{_AUXILIARIES}|shall|might)\b)|"
    r"(?:if|once|after|before|while|unless|since|whenever|although|though)\b)",
    re.I,
)

# Writing systems, for "the question is in another language than the documents".
SCRIPTS = {
    "latin": re.compile(r"[A-Za-z\u00C0-\u024F]"),
    "cyrillic": re.compile(r"[\u0400-\u04FF]"),
    "greek": re.compile(r"[\u0370-\u03FF]"),
    "arabic": re.compile(r"[\u0600-\u06FF]"),
    "hebrew": re.compile(r"[\u0590-\u05FF]"),
    "devanagari": re.compile(r"[\u0900-\u097F]"),
    "han": re.compile(r"[\u4E00-\u9FFF\u3040-\u30FF]"),
    "hangul": re.compile(r"[\uAC00-\uD7AF]"),
}
# The language a question in that script is most likely in (the model is told to answer in it).
SCRIPT_LANGUAGE = {"latin": "English", "cyrillic": "Russian", "greek": "Greek", "arabic": "Arabic",
                   "hebrew": "Hebrew", "devanagari": "Hindi", "han": "Chinese", "hangul": "Korean"}  # fmt: skip

# Text that addresses the assistant: inside a document it is data, never an instruction, and a
# sentence holding it does not support an answer.
INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompt|rules|above|previous)\b|\bsystem prompt\b"
    r"|\byou are now\b|\b(reply|respond|answer|say)\s+(only|with)\b",
    re.I,
)

# A sentence is read with the one before it ("this amount" needs its antecedent) unless it opens on a
# turn to another topic ("Meanwhile, Karazhal …" is not about the weakest towns named before it) and
# does not refer back all the same. Not "he"/"she" or "said": in reported speech they name the
# speaker; not "there", "also", "both": they point at no sentence before.
TURNS_TOPIC = re.compile(
    r"\W*(?:meanwhile|by contrast|in contrast|on the other hand|at the same time|separately|elsewhere"
    r"|conversely|alternatively)\b",
    re.I,
)
_REFERS_BACK_WORDS = """this these that those it its they them their such same above aforementioned former latter
then thus hence therefore"""
REFERS_BACK = set(_REFERS_BACK_WORDS.split())

# ---- documents and their parts (issue 7, the docs engineer's block) ----------------------------
# Words that refer to the documents themselves or to their parts ("the README", "this story", "in the folder",
# "section 4", "the heading", "issued"), or only set two things side by side ("versus"): missing from the
# documents' text, they do not make a question unanswerable.
DOCUMENT_WORDS = """document documents file files folder directory readme text texts page pages section sections
heading headings header headers clause clauses chapter chapters paragraph paragraphs article articles subsection
story stories piece passage excerpt
version versions edition revision issued versus vs""".split()  # noqa: SIM905
# What a question about a whole document asks when it asks nothing else ("What is Typer?", "What is
# HTTPX used for?", "Tell me about Rich"): the document's own description of its subject.
DESCRIBE_WORDS = """what who is are was about tell describe description overview explain purpose use used for good
do does library package project tool software program module framework thing""".split()  # noqa: SIM905
# A sentence that describes a subject: "<name> is a …", "<name> are the …".
DESCRIBES = re.compile(r"\b(?:is|are)\s+(?:a|an|the|one)\b", re.I)
# What a question about a numbered section asks when it asks nothing else: its heading.
SECTION_TOPIC_WORDS = """title titled heading headed called named name cover covers covered say says said deal deals
about concern concerns subject topic""".split()  # noqa: SIM905
# A question about a numbered section that asks what it says, not only what it is called ("What
# does section 8 cover?"): its heading and its first sentence answer it.
ASKS_SECTION_CONTENT = re.compile(
    r"\b(?:covers?|covered|say|says|said|deals?|dealt|about|concerns?|contains?|describes?|explains?)\b", re.I
)
ASKS_SECTION_TITLE = re.compile(r"\b(?:title|titled|heading|headed|called|named|name)\b", re.I)
# The question asks which section (or heading) holds something: the answer is a section path.
ASKS_WHICH_SECTION = re.compile(
    r"\b(?:which|what)\s+(?:section|heading|chapter|clause|part|article|paragraph)\b"
    r"|\bunder\s+(?:which|what)\s+(?:heading|section|title)\b",
    re.I,
)
# Words that say what kind of answer is asked for ("the date", "what position"), and light verbs
# ("hold", "have"): a sentence that answers need not repeat them.
ANSWER_TYPE_WORDS = """date year time day month number amount name title kind type position role job post office
hold holds held have has get give make take do""".split()  # noqa: SIM905
# Text that is not prose: links, Markdown link targets, images and reference definitions.
# An image's label ("![Downloads]") is no prose either.
# An HTML tag, as Markdown READMEs use for logos, badges and centred taglines: "<p align="center">",
# "<em>", "</abbr>" (its attributes are no prose; the text between tags is). Only HTML's own tag
# names: a licence's "<signature of Ty Coon>" or "<program>" is text.
_HTML_TAG = (
    r"</?(?:a|abbr|b|blockquote|br|center|code|dd|del|details|div|dl|dt|em|h[1-6]|hr|i|img|ins|kbd|li|ol|p|"
    r"picture|pre|s|small|source|span|strong|sub|summary|sup|table|tbody|td|tfoot|th|thead|tr|u|ul|video)"
    r"(?:\s+[^<>]*?)?\s*/?>"
)
HTML_TAG = re.compile(_HTML_TAG, re.I)
MARKUP = re.compile(rf"!\[[^\]\n]*\]|https?://\S+|\]\([^)]*\)|!\[|^\s*\[[^\]]*\]:|(?i:{_HTML_TAG})", re.M)
# A Markdown link or image, "[text](target)": a reader (and the model) needs its text only.
MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*<?[^\s()<>]*(?:\([^\s()]*\))?[^\s()<>]*>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
# A term the question quotes ("Object code", 'Corresponding Source'), usually to ask what it means.
QUOTED_TERM = re.compile(r"[\"“‘']([^\"“”‘’']{2,40}?)[\"”’'](?!\w)")
# Markdown link reference definitions ("[5.3.1]: https://..."), one or more lines: a renderer hides them, so they are no evidence.
# A bracketed aside with no sentence end inside, as a list item closes on ("*(Optional, with
# `httpx[cli]`)*", "(#2673)"): it belongs to the sentence before it on its line, not one of its own.
ASIDE = re.compile(r"[*_]*\([^.!?()\n]*\)[*_]*[.,;]?")
LINK_DEFINITIONS = re.compile(r"(?:\s*\[[^\]\n]+\]:[ \t]*\S+(?:[ \t]+[\"'(][^\n]*[\"')])?[ \t]*)+\s*")
# A yes/no question ("Are trademark rights waived?", "Can I charge …?"), an answer that affirms, and
# a negation (the ask may follow a phrase and a comma: "Under GPL 2, may I …?"): a "Yes" drawn from a sentence that negates ("No trademark … rights … are waived") is the
# opposite of what it cites (check.contradicts).
YES_NO_ASK = re.compile(
    r"^\W*(?:[^,?]{1,60},\s*)?(?:(?:and|so|but|then)\s+)?(?:is|are|was|were|am|can|could|may|might|must|shall|should|will|would|"
    r"do|does|did|has|have|had|need)\b",
    re.I,
)
AFFIRMS = re.compile(r"^\W*yes\b", re.I)
NEGATES = re.compile(r"\b(?:not|no|never|none|nor|neither|cannot|without)\b|n['’]t\b", re.I)
# HTML tags and Markdown emphasis marks (`code`, **bold**, __bold__): a line shown as a title drops them.
TAGS_AND_EMPHASIS = re.compile(r"<[^>]*>|[`*_]{1,2}(?=\S)|(?<=\S)[`*_]{1,2}")

# The parts of speech a word the documents lack is looked up as in WordNet: adverbs ("before",
# "roughly") say how, not what, and their synonyms misread questions.
WORDNET_LOOKED_UP = ("noun", "verb", "adj")
# A plain word a synonym may replace (letters, inner hyphens or apostrophes: "one-company").
PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")
# WordNet's "morphy" detachment rules per part of speech (suffix, replacement), in the order
# WordNet tries them: "ventures" -> "venture", "stalled" -> "stall", "boxes" -> "box".
WORDNET_DETACH = {
    "noun": (
        ("s", ""),
        ("ses", "s"),
        ("xes", "x"),
        ("zes", "z"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("men", "man"),
        ("ies", "y"),
    ),
    "verb": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "adj": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "adv": (),
}
