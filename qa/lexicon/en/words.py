"""Words and patterns about wording: words that say how a question is asked, names, lists,
sentence openers, text that addresses the assistant, and WordNet's English rules.
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
goes going gone coming giving making taking
increase increased decrease decreased drop dropped shrink shrank shrunk rise factor multiple times exceed exceeds
average""".split()  # noqa: SIM905
# Words that join clauses in time or condition ("once you stop violating …"): the documents may say
# it their own way ("prior to 60 days after the cessation"), so one missing from them lacks no topic.
# (They still count where a sentence has them.)
CLAUSE_JOINERS = set("once before after since until while during again ever yet within without".split())  # noqa: SIM905


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
