"""What a question asks (a number, a date, names, yes or no) and where one with several asks breaks."""

from __future__ import annotations

import re

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
    r"\b(?:what|which)\s+(?:date|year|month|day)s?\b|\bwhen\s+(?:was|were|did)\b|\b(?:release|publication)\s+date\b",
    re.I,
)
# The question asks which of the documents it names came first or last ("Which is older, …?"): dates decide.
ASKS_ORDER = re.compile(r"\b(?:which|what)\b[^?]*?\b(?:old|new|earli|lat)(?:er|est)\b|\b(?:came|come|comes|published|released|issued|appeared)\s+(?:out\s+)?(?:first|last)\b|\bmore\s+recent\b", re.I)  # fmt: skip
# ... and asks for the last of them, not the first ("Which is newer?", "… more recent?").
ASKS_LATEST = re.compile(r"\b(?:newer|newest|later|latest|last|more\s+recent|most\s+recent)\b", re.I)
# The question asks how many: an answer gives a number, or says there are none.
ASKS_COUNT = re.compile(r"\bhow\s+many\b", re.I)
NONE_WORDS = {"none", "no", "nothing", "nobody", "zero", "neither"}
QUESTION_WORDS = r"(?:how|what|which|who|whom|whose|when|where|why)"
# The question asks for names: an answer without a proper name does not answer it.
ASKS_NAMES = re.compile(r"\b(names? of|named|called)\b", re.I)

# The question asks for a thing of a kind by name: "Which agency reported this?" (group 1, "agency"). A
# cited sentence that names one of that kind ("Kazinform News Agency") answers with that name.
ASKS_NAMED_KIND = re.compile(r"^\s*(?:which|what)\s+([a-z]+)\b", re.I)
# A name that says its kind in its last word: "Kazinform News Agency", "Free Software Foundation".
NAME_OF_KIND = re.compile(r"\b((?:[A-Z][\w’'-]*\s+){1,4})([A-Z][a-z]+)\b")
# Words that set two documents side by side ("How does X differ between A and B?"): asked of one
# document alone they name nothing in it ("may differ in detail"), so its search leaves them out.
COMPARING = re.compile(
    r"\b(?:differ(?:s|ed|ence|ences|ent|ently)?|compar(?:e|es|ed|ing|ison)|between|versus|vs|same|alike|similar(?:ly)?)\b",
    re.I,
)
# The question asks for a reason, which a title block (name, version, date) never gives.
ASKS_REASON = re.compile(r"\b(why|for what reason|how come|what is the reason)\b", re.I)

# Where a question with several asks breaks into parts: a question mark followed by more text,
# or a comma / semicolon / "and" / "or" before a new question word.
PART_BREAK = re.compile(
    rf"(?:(?<=\?)\s+(?=\S)|\s*[,;]\s*(?:and\s+|or\s+)?(?={QUESTION_WORDS}\b)|\s+(?:and|or)\s+(?={QUESTION_WORDS}\b))",
    re.I,
)
LEADING_CONJUNCTION = re.compile(r"^\s*(?:and|or|also|then)\b[\s,]*", re.I)
# A later ask that points back at the several documents an earlier ask names ("Which is older, X or
# Y, and what date does each carry?"): it is asked of each of them.
REFERS_TO_EACH = re.compile(r"\b(?:each|both|either|neither|they|them|their|these|those)\b", re.I)
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
