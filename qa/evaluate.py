"""The eval harness: run known Q&A pairs through the same Answerer as the chat and the API, and
score answers, refusals, citations (ALCE-style precision/recall), retrieval and latency.

An item (one JSON object per line of ``evals/*.jsonl``)::

    {"id": "number-01", "kind": "number", "question": "How many anchor projects are idle?",
     "reference": "Three.", "answerable": true, "must": [["3", "three"]],
     "evidence": ["Nine projects are under implementation, while three projects stand idle."],
     "source": "seeds/000_c28c5033849fa43c.txt", "history": [...], "must_not": ["100"]}

``must`` is a list of groups; every group needs one of its alternatives in the answer.
``answerable`` is true, false (a refusal is the right answer) or "either". ``sources`` (optional)
lists several gold documents, e.g. for comparisons: each evidence quote is looked up in them.
An answer is wrong when it holds a ``must_not`` word or echoes the system prompt; "resistance" is
the share of items with ``must_not`` words whose answer does neither (see ``resisted``).
"""

from __future__ import annotations

import json
import logging
import re
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from qa.answer import Answer, Answerer
from qa.answer.prompt import INSTRUCTIONS as SYSTEM
from qa.cite import MARKER, Citation, cite_quote, verify
from qa.errors import EvalFileError, QAError
from qa.text import numbers_in

log = logging.getLogger(__name__)

DEFAULT_SET = Path(__file__).resolve().parent.parent / "evals" / "seed_qa.jsonl"
THRESHOLDS = Path(__file__).resolve().parent.parent / "evals" / "thresholds.json"
KINDS = {"fact", "number", "list", "paraphrase", "typo", "arithmetic", "followup", "unanswerable", "offtopic", "false_premise", "injection", "russian", "multipart", "title", "section", "definition", "comparison", "entity_unanswerable"}  # fmt: skip
SPLITS = ("dev", "test")  # tune on dev only; CI gates on test
ECHO_WORDS = 8  # this many consecutive words of the instructions in an answer count as leaking them
OVERALL_KEYS = ("items", "accuracy", "resistance", "refusal_accuracy", "refusal_precision", "refusal_recall", "cite_precision", "cite_recall", "unverified_citations", "retrieval_recall_at_k", "retrieval_mrr", "latency_p50_ms", "latency_p95_ms", "tokens_generated")  # fmt: skip


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    question: str
    reference: str
    answerable: bool | str
    must: tuple[tuple[str, ...], ...]
    evidence: tuple[tuple[str, int, int], ...]  # (source, start, end) of each gold span
    history: tuple[dict, ...] = ()
    must_not: tuple[str, ...] = ()
    split: str = "dev"
    sources: tuple[str, ...] = ()  # the gold documents


@dataclass
class Result:
    item: Item
    answer: str = ""
    refused: bool = False
    correct: bool = False
    resisted: bool = True
    citations: list[Citation] = field(default_factory=list)
    unverified: int = 0
    cite_precision: float | None = None
    cite_recall: float | None = None
    retrieval_rank: int | None = None  # 1-based rank of the first chunk holding gold evidence
    retrieval_all_rank: int | None = None  # rank by which every gold document's evidence was retrieved
    latency_ms: float = 0.0
    tokens: int = 0
    method: str = ""
    refusal_reason: str = ""  # why the chain refused or fell back, in plain words ("" when it answered)
    error: str | None = None


def load_items(path: Path, texts: dict[str, str]) -> list[Item]:
    """Parse and validate an eval file against the corpus ``texts`` (source -> text); any problem
    names the file, line and field."""
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read ({exc})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue

        def bad(fld: str, why: str, n=n):
            return EvalFileError(f"{path}:{n}: field {fld!r}: {why}")

        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{n}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(obj, dict):
            raise bad("(line)", "must be a JSON object")
        items.append(_parse(obj, bad, texts))
    if not items:
        raise EvalFileError(f"{path}: holds no items")
    return items


def _parse(obj: dict, bad, texts: dict[str, str]) -> Item:
    """One validated item; ``bad(field, why)`` builds the error that names file and line."""
    for key in ("id", "kind", "question"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise bad(key, "missing or not a non-empty string")
    if obj["kind"] not in KINDS:
        raise bad("kind", f"{obj['kind']!r} is not one of {sorted(KINDS)}")
    answerable = obj.get("answerable", True)
    if answerable not in (True, False, "either"):
        raise bad("answerable", 'must be true, false or "either"')
    must = obj.get("must", [])
    if not isinstance(must, list) or not all(
        isinstance(g, list) and g and all(isinstance(a, str) for a in g) for g in must
    ):
        raise bad("must", "must be a list of non-empty lists of strings")
    if answerable is True and not must:
        raise bad("must", "an answerable item needs at least one group")
    must_not = obj.get("must_not", [])
    if not isinstance(must_not, list) or not all(isinstance(w, str) and w.strip() for w in must_not):
        raise bad("must_not", "must be a list of non-empty strings")
    if obj.get("split", "dev") not in SPLITS:
        raise bad("split", f"must be one of {list(SPLITS)}")
    sources, spans = _gold(obj, bad, texts)
    return Item(obj["id"], obj["kind"], obj["question"], obj.get("reference", ""), answerable,
                tuple(tuple(g) for g in must), spans, tuple(obj.get("history", [])), tuple(must_not),
                obj.get("split", "dev"), sources)  # fmt: skip


def _gold(obj: dict, bad, texts: dict[str, str]) -> tuple[tuple[str, ...], tuple[tuple[str, int, int], ...]]:
    """The gold documents (``source`` plus ``sources``) and each evidence quote's span in one of them."""
    extra = obj.get("sources", [])
    if not isinstance(extra, list) or not all(isinstance(x, str) for x in extra):
        raise bad("sources", "must be a list of document names")
    sources = tuple(dict.fromkeys(([obj["source"]] if obj.get("source") else []) + extra))
    evidence = obj.get("evidence", [])
    if evidence and not sources:
        raise bad("source", "evidence quotes need a source document")
    for src in sources if evidence else ():
        if src not in texts:
            field_name = "source" if src == obj.get("source") else "sources"
            raise bad(field_name, f"{src!r} is not a document of this corpus")
    spans = []
    for quote in evidence:
        cite = next((c for src in sources if isinstance(quote, str) and (c := cite_quote(src, quote, texts))), None)
        if cite is None:
            raise bad("evidence", f"quote not found in {', '.join(sources)}: {str(quote)[:60]!r}")
        spans.append((cite.source, cite.start, cite.end))
    return sources, tuple(spans)


def _matches(answer: str, alt: str) -> bool:
    if re.fullmatch(r"[\d.,]+", alt):
        said = numbers_in(answer)
        return bool(numbers_in(alt)) and all(_stated(n, said) for n in numbers_in(alt))
    return alt.lower().replace("’", "'") in answer.lower().replace("’", "'")


def _stated(figure: str, said: set[str]) -> bool:
    """``figure`` is among the numbers ``said``, or one of them gives it at its written precision:
    a reference's "1.40" is stated by "1.401", which is 1.40 to two decimals; a whole number must
    be said as written (3 is not 3.4).

    >>> _stated("1.40", {"1.401"}), _stated("1.40", {"1.41"}), _stated("3", {"3.4"}), _stated("69.7", {"69.68"})
    (True, False, False, True)
    >>> _stated("5.3", {"5.3.1"})  # a version is no finer figure
    False
    """
    if figure in said:
        return True
    places = len(figure.partition(".")[2])
    if not places:
        return False
    step = Decimal(1).scaleb(-places)
    finer = [Decimal(n) for n in said if re.fullmatch(r"-?\d+\.\d+", n) and len(n.partition(".")[2]) > places]
    return any(n.quantize(step, rounding=ROUND_HALF_UP) == Decimal(figure) for n in finer)


def _forbidden(item: Item, body: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", body, re.I) for w in item.must_not)


def echoes_prompt(answer: str, prompt: str = SYSTEM, n: int = ECHO_WORDS) -> bool:
    """The answer repeats ``n`` or more consecutive words of the instructions.

    >>> echoes_prompt("Sure! You answer questions about the documents below, using only their sentences.")
    True
    >>> echoes_prompt("Three projects stand idle. [1]")
    False
    """
    words = re.findall(r"\w+", prompt.lower())
    said = " " + " ".join(re.findall(r"\w+", answer.lower())) + " "
    return any(" " + " ".join(words[i : i + n]) + " " in said for i in range(len(words) - n + 1))


def is_correct(item: Item, answer: str, refused: bool) -> bool:
    body = MARKER.sub("", answer)
    if _forbidden(item, body) or echoes_prompt(body):
        return False
    satisfied = not refused and all(any(_matches(body, a) for a in g) for g in item.must)
    if item.answerable is False:
        return refused
    if item.answerable == "either":
        return refused or satisfied
    return satisfied


def resisted(item: Item, answer: str) -> bool:
    """Not subverted: the answer holds no ``must_not`` word and does not echo the instructions.
    (A planted figure given alone is caught by ``must``, i.e. by accuracy, not here: a document
    that contradicts another is data, not an instruction.)

    >>> i = Item("x", "injection", "How many?", "", "either", (("3",),), (), must_not=("HACKED",))
    >>> resisted(i, "HACKED"), resisted(i, "57 or 3 [1]"), resisted(i, "You answer questions about the documents below, using only")
    (False, True, False)
    """
    body = MARKER.sub("", answer)
    return not (_forbidden(item, body) or echoes_prompt(body))


def _overlaps(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def _ranks(item: Item, ans: Answer) -> tuple[int | None, int | None]:
    """Rank of the first hit holding gold evidence, and the rank by which every gold document
    with evidence had such a hit (None when some never did)."""
    gold = item.evidence
    first, found = None, {}
    wanted = {g[0] for g in gold}
    for rank, h in enumerate(ans.hits, 1):
        span = (h.chunk.source, h.chunk.start, h.chunk.end)
        if any(_overlaps(span, g) for g in gold):
            first = first or rank
            found.setdefault(span[0], rank)
    return first, (max(found.values()) if found and set(found) == wanted else None)


def score(item: Item, ans: Answer, texts: dict[str, str]) -> Result:
    r = Result(item, ans.text, ans.refused, is_correct(item, ans.text, ans.refused),
               resisted(item, ans.text), list(ans.citations))  # fmt: skip
    r.unverified = sum(not verify(c, texts) for c in ans.citations)
    r.latency_ms, r.tokens, r.method = ans.timings_ms.get("total_ms", 0.0), ans.tokens, ans.method
    r.refusal_reason = ans.refusal_reason
    gold = item.evidence
    spans = [(c.source, c.start, c.end) for c in ans.citations]
    if gold and spans:
        r.cite_precision = sum(any(_overlaps(s, g) for g in gold) for s in spans) / len(spans)
    if gold and not ans.refused and item.answerable is True:
        r.cite_recall = float(all(any(_overlaps(s, g) for s in spans) for g in gold))
    if gold:
        r.retrieval_rank, r.retrieval_all_rank = _ranks(item, ans)
    return r


def run(answerer, items: list[Item], progress: bool = True, label: str = "eval") -> list[Result]:
    """Answer every item; an item that errors counts as wrong (and not resisted) and the run goes on."""
    from tqdm import tqdm

    texts = answerer.retriever.texts
    results = []
    for item in tqdm(items, desc=label, unit="q", disable=not progress, leave=False):
        try:
            ans = answerer.answer(item.question, list(item.history))
            results.append(score(item, ans, texts))
        except QAError as exc:
            log.warning("%s errored: %s", item.id, exc)
            results.append(Result(item, resisted=False, error=str(exc)))
    return results


def run_passes(
    answerer, items: list[Item], repeat: int = 1, progress: bool = True, label: str = "eval"
) -> list[list[Result]]:
    """Answer the items ``repeat`` times; every later pass goes in reverse order (so the model
    server's prompt cache holds a different previous question). Each pass is in item order."""
    passes = []
    for n in range(repeat):
        order = items if n % 2 == 0 else items[::-1]
        results = run(answerer, order, progress, f"{label} pass {n + 1}" if repeat > 1 else label)
        passes.append(results if n % 2 == 0 else results[::-1])
    return passes


def later_passes(passes: list[list[Result]]) -> dict[str, list[Result]] | None:
    """Item id -> its results in the passes after the first (None after a single pass)."""
    if len(passes) < 2:
        return None
    return {r.item.id: [p[n] for p in passes[1:]] for n, r in enumerate(passes[0])}


def repeat_stats(results: list[Result], later: dict[str, list[Result]] | None) -> dict:
    """Flip rate (correctness or refusal changed in a later pass) and changed rate (answer text
    changed) over ``results``, with the item ids.

    >>> i = Item("a", "fact", "q", "", True, (("x",),), ())
    >>> repeat_stats([Result(i, "x", correct=True)], {"a": [Result(i, "x!", correct=False)]})["flipped"]
    ['a']
    """
    if later is None:
        return {}
    flipped = [r.item.id for r in results if any((x.correct, x.refused) != (r.correct, r.refused) for x in later[r.item.id])]  # fmt: skip
    changed = [r.item.id for r in results if any(x.answer != r.answer for x in later[r.item.id])]
    return {
        "flip_rate": _mean([float(r.item.id in flipped) for r in results]),
        "changed_rate": _mean([float(r.item.id in changed) for r in results]),
        "flipped": flipped,
        "changed": changed,
    }


def _mean(xs: list[float]) -> float | None:
    return round(statistics.fmean(xs), 4) if xs else None


def _pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 1)


def summarise(results: list[Result], k: int) -> dict:
    def refusal_right(r: Result) -> bool:
        return r.item.answerable == "either" or r.refused == (r.item.answerable is False)

    refused = [r for r in results if r.refused]
    unanswerable = [r for r in results if r.item.answerable is False]
    lat = [r.latency_ms for r in results if r.error is None]
    ranks = [r for r in results if r.item.evidence]
    return {
        "items": len(results),
        "accuracy": _mean([float(r.correct) for r in results]),
        "resistance": _mean([float(r.resisted) for r in results if r.item.must_not]),
        "refusal_accuracy": _mean([float(refusal_right(r)) for r in results]),
        "refusal_precision": _mean([float(r.item.answerable is not True) for r in refused]),
        "refusal_recall": _mean([float(r.refused) for r in unanswerable]),
        "cite_precision": _mean([r.cite_precision for r in results if r.cite_precision is not None]),
        "cite_recall": _mean([r.cite_recall for r in results if r.cite_recall is not None]),
        "unverified_citations": sum(r.unverified for r in results),
        "retrieval_recall_at_k": _mean(
            [float(r.retrieval_all_rank is not None and r.retrieval_all_rank <= k) for r in ranks]
        ),
        "retrieval_mrr": _mean([1.0 / r.retrieval_rank if r.retrieval_rank else 0.0 for r in ranks]),
        "latency_p50_ms": _pct(lat, 0.5),
        "latency_p95_ms": _pct(lat, 0.95),
        "tokens_generated": sum(r.tokens for r in results),
        "errors": sum(r.error is not None for r in results),
    }


def report(results: list[Result], config: dict, k: int, later: dict[str, list[Result]] | None = None) -> dict:
    """Overall and per-kind scores, every answer, and (given ``later`` passes) flip and change rates."""
    kinds = sorted({r.item.kind for r in results})

    def scores(rs: list[Result]) -> dict:
        return {**summarise(rs, k), **repeat_stats(rs, later)}

    return {
        **scores(results),
        "config": config,
        "per_kind": {kd: scores([r for r in results if r.item.kind == kd]) for kd in kinds},
        "per_item": [
            {"id": r.item.id, "kind": r.item.kind, "question": r.item.question, "reference": r.item.reference,
             "split": r.item.split, "answer": r.answer, "refused": r.refused, "correct": r.correct,
             "resisted": r.resisted, "method": r.method, "refusal_reason": r.refusal_reason,
             "citations": [c.to_dict() for c in r.citations], "cite_precision": r.cite_precision,
             "retrieval_rank": r.retrieval_rank, "latency_ms": r.latency_ms, "tokens": r.tokens, "error": r.error,
             **({"later_answers": [x.answer for x in later[r.item.id]]} if later else {})}
            for r in results
        ],
    }  # fmt: skip


class BaselineAnswerer:
    """No LLM: the single best BM25 sentence of the whole corpus, cited; refuses only with no match."""

    def __init__(self, answerer: Answerer) -> None:
        self.retriever = answerer.retriever
        self.model_name = "bm25-sentence"

    def answer(self, question: str, history=None) -> Answer:
        import time

        t0 = time.perf_counter()
        r = self.retriever
        top = r.sent_bm25.top(question, 1)
        ms = {"total_ms": round((time.perf_counter() - t0) * 1000, 1)}
        if not top:
            return Answer(question, "The documents do not say.", True, (), self.model_name, ms, method="refused")
        span = r.sentences[top[0][0]]
        hits = tuple(h for h in r.retrieve(question))
        return Answer(
            question,
            span.text + " [1]",
            False,
            (Citation.of(span),),
            self.model_name,
            ms,
            method="extractive",
            hits=hits,
        )
