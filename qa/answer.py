"""The answering chain: retrieve -> judge answerability -> generate -> locate and check citations
-> fall back to an extractive answer when the model's answer is not supported.

Correctness does not rest on the model: refusals are decided from the evidence, citations are
located in code, and every number and name in an answer must appear in the spans it cites.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from qa.check import Judgement, correct_typos, judge, relevance, relevant, support_set, supported
from qa.cite import MARKER, Citation, verified
from qa.documents import Span
from qa.errors import check_question
from qa.events import Checked, Stage, checked_pieces
from qa.llm import ChatBackend, Message
from qa.retrieve import Evidence, Hit, Retriever
from qa.text import numbers_in

log = logging.getLogger(__name__)

REFUSAL = "The documents do not say."
_NOT_FOUND = re.compile(r"not (?:in|found in|mentioned in|stated in|provided in|given in) the (?:document|text)|do(?:es)? not (?:say|contain|mention|provide|specify)|no information", re.I)  # fmt: skip
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_ASKS_NUMBER = re.compile(
    r"\s*(how (many|much|long|old|big|large)|what (percentage|share|proportion|number|amount)|when|in what year)\b",
    re.I,
)

SYSTEM = (
    "You answer questions about the documents below, using only their numbered sentences.\n"
    "Write one short sentence that answers the question in your own words, then the number of each "
    "sentence you used, in square brackets. If the answer needs adding or subtracting numbers from "
    "the sentences, do the sum. If the sentences do not answer the question, reply exactly: "
    "NOT IN DOCUMENT.\n"
    "Example: if [4] is 'Five shops are open, while two shops are closed.', then 'How many shops are "
    "closed?' is answered 'Two shops are closed. [4]' and 'How many shops are there?' is answered "
    "'There are seven shops: five open and two closed. [4]'.\n\nDocuments:\n"
)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...]
    model: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    tokens: int = 0
    method: str = "llm"  # llm | extractive | refused
    hits: tuple[Hit, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    judgement: Judgement | None = None

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "model": self.model,
            "timings_ms": self.timings_ms,
        }


class Answerer:
    """Answers questions over a retriever with an optional chat backend (None: extractive only)."""

    def __init__(
        self,
        retriever: Retriever,
        backend: ChatBackend | None,
        evidence_k: int = 4,
        max_tokens: int = 96,
        context_chars: int = 6000,
        max_question_chars: int = 2000,
    ) -> None:
        self.retriever = retriever
        self.backend = backend
        self.evidence_k = evidence_k
        self.max_tokens = max_tokens
        self.context_chars = context_chars
        self.max_question_chars = max_question_chars

    @property
    def model_name(self) -> str:
        return self.backend.name if self.backend else "extractive"

    def answer(self, question: str, history: list[Message] | None = None) -> Answer:
        final = None
        for item in self.stream(question, history):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(self, question: str, history: list[Message] | None = None) -> Iterator[Stage | Checked | Answer]:
        """Yield progress ``Stage`` events, then the verified text as ``Checked`` pieces, then the
        final ``Answer``. The model's draft is never yielded: only text that passed the checks."""
        for item in self._run(question, history):
            if isinstance(item, Answer):
                yield from checked_pieces(item.text)
            yield item

    def _run(self, question: str, history: list[Message] | None = None) -> Iterator[Stage | Answer]:
        t0 = time.perf_counter()
        q = check_question(question, self.max_question_chars)
        history = [m for m in (history or []) if m.get("role") in ("user", "assistant") and m.get("content")]
        self.retriever.refresh()
        yield Stage("searching", f"searching {len(self.retriever.docs)} documents", _ms(t0))
        timings: dict[str, float] = {}
        query = q
        if _CYRILLIC.search(q) and self.backend:
            query = self._translate(q)
            log.info("translated %r -> %r", q, query)
            timings["translate_ms"] = _ms(t0)
        r = self.retriever
        query = correct_typos(query, r.vocabulary)
        prev = next((m["content"] for m in reversed(history) if m["role"] == "user"), "")
        prev = correct_typos(prev, r.vocabulary) if prev else ""
        hits = r.retrieve(f"{prev} {query}".strip() if prev else query)
        evidence = r.evidence(query, hits, self.evidence_k)
        dense = r.mode != "bm25"
        verdict = judge(query, evidence, r.vocabulary, r.corpus_numbers, dense=dense)
        if prev:  # a follow-up leans on the previous question for its topic
            evidence = _merge(evidence, r.evidence(f"{prev} {query}", hits, self.evidence_k), self.evidence_k)
            if not verdict.answerable:
                verdict = judge(f"{prev} {query}", evidence, r.vocabulary, r.corpus_numbers, dense=dense)
        focus = f"{prev}\n{query}" if prev else query
        timings["retrieve_ms"] = _ms(t0)
        base = dict(question=q, hits=tuple(hits), evidence=tuple(evidence), judgement=verdict)
        if not verdict.answerable:
            log.info("refused %r: %s", q, verdict.reason)
            timings["total_ms"] = _ms(t0)
            yield self._refusal(timings, 0, **base)
            return
        if self.backend is None:
            timings["total_ms"] = _ms(t0)
            yield self._extractive(timings, focus=focus, **base)
            return

        numbered = self._context(evidence)
        messages: list[Message] = [{"role": "system", "content": _system(numbered)}]
        messages += history[-4:]
        messages.append({"role": "user", "content": f"Question: {query}"})
        yield Stage("reading", f"reading {len(evidence)} passages", _ms(t0))
        t1 = time.perf_counter()
        pieces: list[str] = []
        for piece in self.backend.stream(messages, self.max_tokens):
            if not pieces:
                timings["first_token_ms"] = _ms(t0)
                yield Stage("writing", "writing a draft answer (not shown until checked)", _ms(t0))
            pieces.append(piece)
        timings["generate_ms"] = _ms(t1)
        yield Stage("checking", "checking the answer against its citations", _ms(t0))
        raw = "".join(pieces).strip()
        log.info("model said: %r", raw)
        tokens = self.backend.tokens_generated
        result = self._check(q, focus, raw, numbered, evidence, verdict)
        timings["total_ms"] = _ms(t0)
        if result is None and verdict.missing:
            log.info("unsupported answer to a weakly matched question %r: refusing", q)
            result = "refuse"
        if result is None:
            yield self._extractive(timings, tokens=tokens, focus=focus, **base)
        elif result == "refuse":
            yield self._refusal(timings, tokens, **base)
        else:
            text, cites = result
            yield Answer(
                text=text,
                refused=False,
                citations=tuple(cites),
                model=self.model_name,
                timings_ms=timings,
                tokens=tokens,
                method="llm",
                **base,
            )

    def warm_up(self) -> str | None:
        """Send the stable prompt prefix once, so the model server caches it before the first question.
        Returns how: "computed", "restored" (from a cache an earlier start saved), or None (nothing to do)."""
        r = self.retriever
        if self.backend is None or r.corpus_chars > self.context_chars or not r.sentences:
            return None
        t0 = time.perf_counter()
        try:
            how = self.backend.prime(
                [{"role": "system", "content": _system(self._context([]))}, {"role": "user", "content": "Question: ?"}]
            )
        except Exception as exc:  # a warm-up is an optimisation: the first question pays instead
            log.warning("warm-up failed: %s", exc)
            return None
        log.info("prompt cache %s in %.1f s", how, time.perf_counter() - t0)
        return how

    # ---- pieces ----------------------------------------------------------------------------
    def _context(self, evidence: list[Evidence]) -> list[Span]:
        """All sentences when the corpus fits (a stable prefix the model server can cache), else
        the evidence sentences with their neighbours, in document order."""
        r = self.retriever
        if r.corpus_chars <= self.context_chars:
            return list(r.sentences)
        wanted = set()
        for e in evidence:
            i = r.sentence_pos[(e.span.source, e.span.start)]
            wanted.update(
                j for j in (i - 1, i, i + 1) if 0 <= j < len(r.sentences) and r.sentences[j].source == e.span.source
            )
        return [r.sentences[i] for i in sorted(wanted)]

    def _check(
        self, question: str, focus: str, raw: str, numbered: list[Span], evidence: list[Evidence], verdict: Judgement
    ):
        """Return (text, citations) for a supported answer, "refuse", or None for the fallback.

        The model's sentence numbers are a hint, not trusted: the cited spans are the fewest
        sentences (among those it named and the evidence) that hold the answer's numbers, names
        and words; they must support every number and name, and be about the question.
        """
        texts = self.retriever.texts
        if not raw or "NOT IN DOCUMENT" in raw.upper() or _NOT_FOUND.search(raw):
            strong = verdict.coverage >= 0.99 and verdict.cosine >= 0.5
            return None if strong else "refuse"
        claimed = [numbered[int(n) - 1] for n in MARKER.findall(raw) if 1 <= int(n) <= len(numbered)]
        body = re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", raw)).strip()
        if not re.search(r"\w", body):  # only sentence numbers: answer with the sentence it chose
            picks = [s for s in claimed if _about([self._in_context(s)], focus)]
            return (f"{picks[0].text} [1]", verified([Citation.of(picks[0])], texts)) if picks else None
        candidates: list[Span] = []
        for span in claimed + [e.span for e in evidence]:
            if span not in candidates:
                candidates.append(span)
        chosen = [candidates[i] for i in support_set(body, [c.text for c in candidates])]
        spans = [c.text for c in chosen]
        spans_ctx = [self._in_context(c) for c in chosen]
        checked = chosen and supported(body, spans, focus, spans_ctx, self.retriever.vocabulary)
        if not checked or not _about(spans_ctx, focus):
            log.info("answer %r is not supported by the documents; falling back", body)
            return None
        cites = verified([Citation.of(c) for c in chosen], texts)
        if not cites:
            return None
        marks = "".join(f"[{i}]" for i in range(1, len(cites) + 1))
        return f"{body} {marks}", cites

    def _extractive(self, timings: dict, tokens: int = 0, focus: str = "", **base) -> Answer:
        """The best evidence sentence that is about the question, cited; a refusal if none is."""
        texts = self.retriever.texts
        spans = [e.span for e in base["evidence"][:3]]
        best = spans[0] if spans and not focus else None
        if focus:
            last = focus.split("\n")[-1]
            asks_number = bool(_ASKS_NUMBER.match(base["question"]))
            asked = numbers_in(base["question"])

            def score(s: Span) -> float:
                ctx = self._in_context(s)
                share = max(relevance(ctx, focus), relevance(ctx, last))
                if asked & numbers_in(s.text):  # names the year or figure the question names
                    share = share + 1.0 if share > 0 else 0.0
                return share + (0.25 if asks_number and numbers_in(s.text) else 0.0)

            scored = sorted(((score(s), -i, s) for i, s in enumerate(spans)), reverse=True)
            best = scored[0][2] if scored and scored[0][0] >= 0.5 else None
            if best is not None and asks_number and not numbers_in(best.text):
                best = None  # "how many" answered by a sentence without a number: say so instead
        if best is None:
            return self._refusal(timings, tokens, **base)
        cites = verified([Citation.of(best)], texts)
        return Answer(
            text=f"{best.text} [1]", refused=False, citations=tuple(cites), model=self.model_name,
            timings_ms=timings, tokens=tokens, method="extractive", **base,
        )  # fmt: skip

    def _refusal(self, timings: dict, tokens: int = 0, **base) -> Answer:
        return Answer(text=REFUSAL, refused=True, citations=(), model=self.model_name, timings_ms=timings,
                      tokens=tokens, method="refused", **base)  # fmt: skip

    def _in_context(self, span: Span) -> str:
        """The span with the sentence before it ("this amount" needs its antecedent)."""
        sents = self.retriever.sentences
        i = self.retriever.sentence_pos.get((span.source, span.start))
        if i and sents[i - 1].source == span.source:
            return sents[i - 1].text + " " + span.text
        return span.text

    def _translate(self, question: str) -> str:
        assert self.backend is not None
        msgs: list[Message] = [
            {
                "role": "system",
                "content": "Translate the user's question into English. Reply with the translation only.",
            },
            {"role": "user", "content": question},
        ]
        try:
            out = self.backend.complete(msgs, 60).strip().splitlines()
        except Exception:  # translation is a nicety: fall back to the original
            log.warning("translation failed; retrieving with the original question")
            return question
        return (out[0] if out else "").strip() or question


def _about(spans: list[str], focus: str) -> bool:
    """The spans are about the question: the current one, or it together with the one before."""
    return relevant(spans, focus) or relevant(spans, focus.split("\n")[-1])


def _system(numbered: list[Span]) -> str:
    """The instructions and the numbered sentences: identical for every question on one corpus."""
    return SYSTEM + "\n".join(f"[{i}] {s.text}" for i, s in enumerate(numbered, 1))


def _merge(a: list[Evidence], b: list[Evidence], n: int) -> list[Evidence]:
    seen, out = set(), []
    for e in [x for pair in zip(a, b, strict=False) for x in pair] + a + b:
        key = (e.span.source, e.span.start)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out[:n]


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)
