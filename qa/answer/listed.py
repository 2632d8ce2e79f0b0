"""Counts a document gives by listing names rather than writing a number ("the plans of Altay,
Balkhash and Ridder towns": 3 towns), for the figures the documents imply (``wholes``).

>>> listed_of(["town"], "Weakest are Temirtau, Balkhash and Kulsary towns.")
('3', 'per town, over the 3 listed')
"""

from __future__ import annotations

import re

from qa.lexicon import PER_WHAT
from qa.text import has_term, listings, terms

from .arith import TOKEN


def listed_before(question: str, i: int, sentences: list[str], ctx: list[str]) -> tuple[str, str] | None:
    """How many names the sentence before ``sentences[i]`` lists of what follows "per"/"each" in the
    question, when sentence ``i`` goes on from it (its context starts with it) and does not name that
    thing itself."""
    m = PER_WHAT.search(question)
    if not m or not i or ctx[i] == sentences[i] or not ctx[i].startswith(sentences[i - 1]):
        return None
    over = [t for t in terms(m.group(1)) if not t[0].isdigit()]
    if any(has_term(t, set(terms(sentences[i]))) for t in over):
        return None
    return listed_of(over, sentences[i - 1])


def listed_of(wanted: list[str], sentence: str) -> tuple[str, str] | None:
    """How many names a list gives just before, or just after, a word the question names.

    >>> listed_of(["town"], "The plans of Altay, Balkhash, and Ridder towns include 326 activities.")
    ('3', 'per town, over the 3 listed')
    """
    for start, end, n in listings(sentence):
        near = TOKEN.findall(sentence[end:])[:2] + TOKEN.findall(sentence[:start])[-3:]
        hit = next((w for w in wanted if any(has_term(w, set(terms(t))) for t in near)), None)
        if hit is not None:
            word = re.sub(r"[’']s?$", "", next(t for t in near if has_term(hit, set(terms(t)))).lower()) or hit
            return str(n), f"per {_singular(word)}, over the {n} listed"
    return None


def _singular(word: str) -> str:
    """The singular of a plural noun.

    >>> _singular("towns"), _singular("cities"), _singular("class")
    ('town', 'city', 'class')
    """
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word
