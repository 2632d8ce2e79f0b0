"""Tokenising, a light stemmer, number words, and BM25: shared by retrieval and answer checks.

>>> terms("How many anchor projects are idle?")
['anchor', 'project', 'idle']
>>> sorted(numbers_in("Three of the 41 projects; 1.4 trillion, 40%"))
['1.4', '3', '40', '41']
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable

from qa.lexicon import LISTING, LISTING_SEPARATOR, OPENERS

_WORD = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)
STOPWORDS = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "into",
        "about",
        "over",
        "under",
        "than",
        "then",
        "so",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "done",
        "have",
        "has",
        "had",
        "having",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "many",
        "much",
        "more",
        "most",
        "some",
        "any",
        "all",
        "each",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "him",
        "her",
        "us",
        "them",
        "my",
        "your",
        "his",
        "our",
        "their",
        "not",
        "no",
        "nor",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "also",
        "just",
        "only",
        "very",
        "such",
        "own",
        "same",
        "other",
        "s",
        "t",
        "does",
        "tell",
        "please",
        "give",
        "according",
        "says",
        "said",
        "say",
        "document",
        "text",
        "article",
    ]
)
# British spellings read as American ones, so "licence" finds "license".
SPELLINGS = {"licence": "license", "licences": "licenses", "licenced": "licensed", "licencing": "licensing",
             "organisation": "organization", "organisations": "organizations", "behaviour": "behavior",
             "colour": "color", "centre": "center", "programme": "program", "favour": "favor"}  # fmt: skip
NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90", "hundred": "100",
}  # fmt: skip


def stem(word: str) -> str:
    """A light English suffix stripper (enough to match plurals and -ing/-ed forms). A consonant
    doubled before -ing/-ed is written once ("getting" is "get"), as in Porter's step 1b, except
    l, s, f and z, which base words end on doubled ("install", "pass", "staff"), and in a stem of
    three letters ("added" stays "add").

    >>> [stem(w) for w in ("getting", "stopped", "planned", "running", "installed", "added", "passes", "towns")]
    ['get', 'stop', 'plan', 'run', 'install', 'add', 'passe', 'town']
    """
    w = word.lower()
    if len(w) <= 3 or not w.isascii():
        return w
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "s" and w.endswith(("ss", "us", "is")):
                return w
            root = w[: len(w) - len(suffix)] + repl
            if suffix in ("ing", "ed") and len(root) >= 4 and root[-1] == root[-2] and root[-1] not in "lsfzaeiou":
                root = root[:-1]
            return root
    return w


def words(text: str) -> list[str]:
    return [m.group().lower() for m in _WORD.finditer(text)]


def cased_words(text: str) -> list[str]:
    """The words of ``text`` as written (``words`` lowercases them)."""
    return [m.group() for m in _WORD.finditer(text)]


def tokens(text: str) -> list[str]:
    """Stemmed tokens, stopwords kept out, number words mapped to digits."""
    out = []
    for w in words(text):
        w = NUMBER_WORDS.get(w, SPELLINGS.get(w, w))
        if w not in STOPWORDS:
            out.append(stem(w))
    return out


def terms(text: str) -> list[str]:
    """Content terms of a question (tokens without digits-only duplicates, order kept)."""
    seen: list[str] = []
    for t in tokens(text):
        if t not in seen:
            seen.append(t)
    return seen


def numbers_in(text: str) -> set[str]:
    """Numbers written as digits or as words, normalised ("1,000" -> "1000")."""
    found = set()
    for w in words(text):
        if w in NUMBER_WORDS:
            found.add(NUMBER_WORDS[w])
        elif w[0].isdigit():
            n = w.replace(",", "").rstrip(".")
            found.add(n.lstrip("0") or "0" if n.isdigit() else n)
    return {n for n in found if any(ch.isdigit() for ch in n)}


def listings(text: str) -> list[tuple[int, int, int]]:
    """The lists of names in ``text``: (start, end, how many names), so that "six towns" can be
    checked against a sentence that lists them.

    >>> listings("The plans of Altay, Balkhash, and Ridder towns; weakest in Temirtau, Balkhash and kulsary.")
    [(13, 40, 3), (59, 89, 3)]
    >>> listings("Meanwhile, Stepnogorsk, Balkhash and Karazhal report a decline.")
    [(11, 45, 3)]
    """
    found = []
    for m in LISTING.finditer(text):
        items = LISTING_SEPARATOR.split(m.group())
        start = m.start()
        if items[0].lower() in OPENERS:  # "Meanwhile, A, B and C": three names
            start = m.start() + m.group().index(items[1], len(items[0]))
            items = items[1:]
        if len(items) >= 2:
            found.append((start, m.end(), len(items)))
    return found


def counts_in(text: str) -> set[str]:
    """The numbers of ``text`` and how many names each of its lists gives.

    >>> sorted(counts_in("Plans of Altay, Balkhash and Ridder include 326 activities."))
    ['3', '326']
    """
    return numbers_in(text) | {str(n) for *_, n in listings(text)}


def has_term(term: str, vocabulary: set[str]) -> bool:
    """``term`` is in ``vocabulary``, or shares with a word there a prefix of five letters or more
    that covers all but two letters of the shorter word ("attract"/"attraction", "generate"/"generation").

    >>> has_term("attract", {"attraction"}), has_term("generate", {"generation"}), has_term("president", {"presence"})
    (True, True, False)
    """
    if term in vocabulary:
        return True
    if len(term) < 5:
        return False
    for v in vocabulary:
        if len(v) < 5 or v[:4] != term[:4]:
            continue
        n = 0
        for a, b in zip(term, v, strict=False):
            if a != b:
                break
            n += 1
        if n >= 5 and n >= min(len(term), len(v)) - 2:
            return True
    return False


def nearest(word: str, vocabulary: Iterable[str], limit: int = 2) -> tuple[str, int] | None:
    """The vocabulary word nearest to ``word`` and its optimal-string-alignment distance (a swap
    of neighbours counts once), if within ``limit``; ties go to a word with the same first
    letter, then the closest length. RapidFuzz does the search (C++, ~50x the pure-Python loop).

    >>> nearest("lisence", ["absence", "license", "silence"]), nearest("xyz", ["license"])
    (('license', 2), None)
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(word, list(vocabulary), scorer=OSA.distance, score_cutoff=limit, limit=None)
    if not found:
        return None
    best = min(found, key=lambda f: (f[1], f[0][:1] != word[:1], abs(len(f[0]) - len(word)), f[0]))
    return best[0], int(best[1])


K1, B = 1.5, 0.75  # Okapi BM25's usual constants (Lucene's idf): qa.lexical uses the same


def idf_of(n: int, df: int) -> float:
    """Lucene's BM25 idf of a term found in ``df`` of ``n`` texts (always positive)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def bm25(query: list[str], counts: Counter[str], length: int, idf: Callable[[str], float], avg: float) -> float:
    """The BM25 score of one text (its token ``counts`` and ``length``) for the ``query`` tokens;
    a repeated query token counts each time.

    >>> bm25(["cat"], Counter({"cat": 1}), 1, lambda t: 1.0, 1.0)
    1.0
    """
    s = 0.0
    for t in query:
        f = counts.get(t, 0)
        if f:
            s += idf(t) * f * (K1 + 1) / (f + K1 * (1 - B + B * length / (avg or 1)))
    return s


class BM25:
    """Okapi BM25 over a fixed list of texts, in memory (the sentence baseline of the eval, and
    scoring a few sentences against statistics computed elsewhere: ``bm25``). The index's chunks
    are searched by ``qa.lexical`` (bm25s), which ranks the same.

    >>> bm = BM25(["the cat sat", "dogs bark loudly", "a cat and a dog"])
    >>> [i for i, _ in bm.top("cat", 2)]
    [0, 2]
    """

    def __init__(self, texts: list[str]) -> None:
        self.docs = [Counter(tokens(t)) for t in texts]
        self.lens = [sum(d.values()) for d in self.docs]
        self.avg = (sum(self.lens) / len(self.lens)) if self.lens else 0.0
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: idf_of(n, f) for t, f in df.items()}

    def scores(self, query: str) -> list[float]:
        q, idf = tokens(query), self.idf.__getitem__
        return [bm25(q, d, length, idf, self.avg) for d, length in zip(self.docs, self.lens, strict=True)]

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        ranked = sorted(enumerate(self.scores(query)), key=lambda x: -x[1])
        return [(i, s) for i, s in ranked[:k] if s > 0]


def rrf(rankings: list[list[int]], weights: list[float] | None = None, k: int = 60) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion of several rankings of the same items, best first.

    >>> rrf([[1, 2, 3], [3, 1]])[0][0]
    1
    >>> rrf([[1, 2], [2, 1]], weights=[0.5, 1.0])[0][0]
    2
    """
    weights = weights or [1.0] * len(rankings)
    score: dict[int, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking):
            score[item] = score.get(item, 0.0) + w / (k + rank + 1)
    return sorted(score.items(), key=lambda x: -x[1])
