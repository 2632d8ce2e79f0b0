"""Typo correction of a question against the documents' vocabulary: a word the documents do not
use, and English does not know, becomes the nearest document word (whole words only).

>>> correct_typos("How many projcts are idle?", {"project"}, frozenset())
'How many project are idle?'
"""

from __future__ import annotations

import functools
import re

from qa.text import STOPWORDS, nearest, stem


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (a swap of neighbours counts once), capped at ``limit + 1``.

    >>> edit_distance("idel", "idle"), edit_distance("ancor", "anchor"), edit_distance("akim", "akimat")
    (1, 1, 2)
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@functools.cache
def english_words() -> frozenset[str]:
    """Whole English words the embedder's tokenizer knows (its ``vocab.txt``, shipped with the
    MiniLM package): a word in it is spelt right even where the documents never use it. Empty
    when the package is missing (then every unknown word may be corrected)."""
    try:
        from qa.models import minilm_path

        lines = (minilm_path() / "vocab.txt").read_text(encoding="utf-8").split()
    except Exception:  # a word list is a nicety: typo correction works without it
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.islower() and len(w) >= 4)


def correct_typos(question: str, vocabulary: set[str], known: frozenset[str] | None = None) -> str:
    """Replace words that are not in the documents by a document word one edit away (two for
    long words); words one edit from a common function word are dropped. A correctly spelt
    English word (``known``, default ``english_words()``) is kept: "employees" is not a typo of
    "employer" because the documents lack it.

    >>> correct_typos("How many ancor projcts are idel?", {"anchor", "project", "idle"}, frozenset())
    'How many anchor project are idle?'
    >>> correct_typos("How many employees stop?", {"employer", "step"}, frozenset({"employees", "stop"}))
    'How many employees stop?'
    """

    english = english_words() if known is None else known

    def fix(m: re.Match) -> str:
        w = m.group()
        low = w.lower()
        if len(low) < 4 or not low.isalpha() or low in STOPWORDS or stem(low) in vocabulary or low in vocabulary:
            return w
        if low in english:
            return w
        if any(stem(low)[: len(v)] == v and len(stem(low)) - len(v) <= 2 for v in vocabulary if len(v) >= 5):
            return w  # another form of a document word ("operate" for "operating")
        limit = 1 if len(low) <= 6 else 2
        pool = vocabulary if len(low) > 6 else [v for v in vocabulary if v[:1] == low[:1]]
        best = nearest(stem(low), pool, limit)  # ties: the same first letter, then the closest length
        if best is not None:
            return best[0].capitalize() if w[:1].isupper() else best[0]
        if any(edit_distance(low, sw, 1) <= 1 for sw in STOPWORDS if len(sw) >= 4):
            return ""
        return w

    # whole words only: "GPLv3" or "mmh3" is a name with a number, not a misspelt "GPL"
    return re.sub(r"(?<![\w-])[^\W\d_]+(?![\w-])", fix, question)
