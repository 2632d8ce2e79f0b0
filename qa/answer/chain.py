"""The answer chain: plan -> gather -> generate -> verify (-> extract) -> compose, each stage a
small object with one job that a test can drive alone or replace.

Correctness does not rest on the model: refusals are decided from the evidence, citations are
located in code, every number and name of an answer must appear in the spans it cites, and
calculations are done in code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator as Gen
from collections.abc import Iterator
from dataclasses import replace
from itertools import zip_longest

from qa.check import as_written
from qa.errors import check_question
from qa.events import Checked, Stage, checked_pieces
from qa.lexicon import ASKS_ARITHMETIC, NAME, SHOUTED, STATED_FIGURE, asks_arithmetic, may_imply
from qa.llm import ChatBackend, Message
from qa.retrieve import Retriever
from qa.thesaurus import WordNet

from .compose import PartOutcome, Translator, compose
from .extract import Extractor
from .gather import Gatherer
from .generate import Generator
from .plan import Planner
from .spans import disagreement
from .types import Accept, Answer, Draft, Fallback, Gathered, Part, Plan, Refuse
from .verify import Verifier

log = logging.getLogger(__name__)


class Answerer:
    """Answers questions over a retriever with an optional chat backend (None: extractive only).

    Stages may be passed in (tests pass fakes); by default they are built from the arguments.
    """

    def __init__(
        self,
        retriever: Retriever,
        backend: ChatBackend | None,
        evidence_k: int = 4,
        max_tokens: int = 96,
        context_chars: int = 6000,
        evidence_chars: int = 800,
        max_question_chars: int = 2000,
        max_parts: int = 3,
        echo_words: int = 6,
        paraphrase_cosine: float = 0.45,
        about_cosine: float = 1.0,
        disagree_share: float = 0.75,
        reword_cosine: float = 0.0,
        thesaurus: WordNet | None = None,
        topic_share: float = 0.3,
        **stages,
    ) -> None:
        self.retriever, self.max_question_chars, self.disagree_share = retriever, max_question_chars, disagree_share
        self.reword_cosine = reword_cosine  # a refused question is reworded only from evidence this close
        self.planner = stages.get("planner") or Planner(retriever, backend, max_parts, thesaurus=thesaurus)
        self.gatherer = stages.get("gatherer") or Gatherer(retriever, evidence_k, paraphrase_cosine)
        self.generator = stages.get("generator") or Generator(
            retriever, backend, max_tokens, context_chars, evidence_chars
        )
        self.verifier = stages.get("verifier") or Verifier(retriever, echo_words, about_cosine, topic_share=topic_share)
        self.extractor = stages.get("extractor") or Extractor(retriever)
        self.translator = stages.get("translator") or Translator(backend)
        self.backend = backend

    @property
    def backend(self) -> ChatBackend | None:
        return self._backend

    @backend.setter
    def backend(self, value: ChatBackend | None) -> None:
        """Set after start-up by the server: every stage that uses the model gets it."""
        self._backend = value
        for stage in (self.planner, self.generator, self.verifier, self.translator):
            stage.backend = value

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
        t0 = time.perf_counter()
        q = check_question(question, self.max_question_chars)
        self.retriever.refresh()
        yield Stage("searching", f"searching {len(self.retriever.docs)} documents", _ms(t0))
        plan = self.planner.plan(q, history)
        timings: dict[str, float] = {"plan_ms": _ms(t0)}
        outcomes = []
        for i, part in enumerate(plan.parts):
            outcomes.append((yield from self._part(plan, part, i, t0, timings)))
        answer = self._compose(plan, outcomes, timings, t0)
        yield from checked_pieces(answer.text)
        yield answer

    def _part(self, plan: Plan, part: Part, i: int, t0: float, timings: dict) -> Gen[Stage, None, PartOutcome]:
        """Gather, then (with a model) generate and verify one part; fall back to extraction. A part
        refused for words the documents lack is asked again in their words."""
        gathered = self.gatherer.gather(part)
        timings.setdefault("retrieve_ms", _ms(t0))
        if not gathered.judgement.answerable:
            log.info("refused %r: %s", part.text, gathered.judgement.reason)
            outcome = PartOutcome(part, gathered, Refuse(gathered.judgement.reason))
        else:
            outcome = yield from self._answered(plan, part, gathered, i, t0, timings)
        if not isinstance(outcome.verdict, Refuse) or not gathered.judgement.missing or part.reworded_from:
            return outcome
        synonyms = self._synonyms(part)
        if synonyms is not None:
            again = yield from self._part(plan, synonyms, i, t0, timings)
            if isinstance(again.verdict, Accept) and again.verdict.method == "llm":  # not a guessed sentence
                return again
        reworded = None if gathered.judgement.answerable else self._reworded(part, gathered)
        if reworded is None:
            return outcome
        again = yield from self._part(plan, reworded, i, t0, timings)
        return self._confirmed(again, part, gathered)

    def _answered(
        self, plan: Plan, part: Part, gathered: Gathered, i: int, t0: float, timings: dict
    ) -> Gen[Stage, None, PartOutcome]:
        """An answerable part: computed in code when the documents imply it, else drafted and verified."""
        of = f" (part {i + 1} of {len(plan.parts)})" if len(plan.parts) > 1 else ""
        own = self.verifier.rest_of_whole(part, gathered) if part.arithmetic or may_imply(part.text) else None
        if own is not None:  # the rest of a whole the documents state: computed in code, not asked
            return PartOutcome(part, gathered, self._settle(part, gathered, own))
        if self.backend is None:
            return PartOutcome(part, gathered, self._settle(part, gathered, Fallback("no model: extractive")))
        yield Stage("reading", f"reading {len(gathered.evidence)} passages{of}", _ms(t0))
        draft = yield from self._draft(part, gathered, plan, of, t0, timings)
        yield Stage("checking", f"checking the answer against its citations{of}", _ms(t0))
        verdict = self.verifier.verify(part, gathered, draft)
        if part.arithmetic and not isinstance(verdict, Refuse) and " = " not in getattr(verdict, "text", ""):
            stated = isinstance(verdict, Accept) and not ASKS_ARITHMETIC.search(STATED_FIGURE.sub(" ", part.text))
            verdict = verdict if stated else self._calculated(part, gathered) or verdict
        return PartOutcome(part, gathered, self._settle(part, gathered, verdict), draft.tokens)

    def _synonyms(self, part: Part) -> Part | None:
        """The part, refused for words the documents never use, with each such word put in a
        WordNet synonym the documents use ("wire service" -> "news agency"); None when there is
        none. Its answer is checked as any other's: only the words changed, not what is asked."""
        text = self.planner.in_documents_terms(part.text)
        if text is None:
            return None
        return replace(part, text=text, arithmetic=part.arithmetic or asks_arithmetic(text), reworded_from=part.text)

    def _reworded(self, part: Part, gathered: Gathered) -> Part | None:
        """A question refused because the documents never use some of its words, asked again in the
        words of the sentences it retrieves ("blueprints" -> "plans"), when that one is answerable.
        Not for a translated question (translated with those words already) or a reworded one."""
        j = gathered.judgement
        if self.backend is None or part.original:
            return None
        if names_missing(part.text, j.missing):  # "France", "GDP": no other words name what the documents lack
            return None
        if j.cosine < self.reword_cosine:  # no sentence near in meaning: its words would not be the question's
            log.info("not reworded %r: the closest sentence is at %.2f", part.text, j.cosine)
            return None
        text = self.planner.reworded(part.text)
        if text is None:
            return None
        again = replace(part, text=text, arithmetic=part.arithmetic or asks_arithmetic(text))
        again = replace(again, reworded_from=part.text)
        verdict = self.gatherer.gather(again).judgement
        if not verdict.answerable:
            log.info("the reworded question %r is not answerable either: %s", text, verdict.reason)
        return again if verdict.answerable else None

    def _confirmed(self, outcome: PartOutcome, part: Part, gathered: Gathered) -> PartOutcome:
        """The answer to a reworded question stands only if the model confirms that its cited
        sentences answer the question as asked; otherwise the first refusal stands."""
        v = outcome.verdict
        if isinstance(v, Accept) and self.verifier.confirms(part.text, [c.quote for c in v.citations]):
            return outcome
        return PartOutcome(part, gathered, Refuse(gathered.judgement.reason), outcome.tokens)

    def _calculated(self, part: Part, gathered) -> Accept | None:
        """An arithmetic part answered without a calculation: the model's calculation, if it checks out."""
        second = self.verifier.verify(part, gathered, self.generator.calculate(part, gathered))
        return second if isinstance(second, Accept) and " = " in second.text else None

    def _draft(self, part: Part, gathered, plan: Plan, of: str, t0: float, timings: dict) -> Gen[Stage, None, Draft]:
        t1, draft, started = time.perf_counter(), Draft(""), False
        for item in self.generator.generate(part, gathered, plan.history):
            if isinstance(item, Draft):
                draft = item
            elif not started:
                started = True
                timings.setdefault("first_token_ms", _ms(t0))
                yield Stage("writing", f"writing a draft answer (not shown until checked){of}", _ms(t0))
        timings["generate_ms"] = timings.get("generate_ms", 0.0) + _ms(t1)
        return draft

    def _settle(self, part: Part, gathered, verdict) -> Accept | Refuse:
        """A fallback becomes the extractive answer; an accepted answer says so when sources disagree."""
        if isinstance(verdict, Fallback):
            log.info("falling back to an extractive answer for %r: %s", part.text, verdict.reason)
            verdict = self.extractor.extract(part, gathered)
        if isinstance(verdict, Accept):
            return disagreement(part, gathered, self.retriever, self.disagree_share) or verdict
        return verdict

    def _compose(self, plan: Plan, outcomes: list[PartOutcome], timings: dict, t0: float) -> Answer:
        done = compose(outcomes)
        text = done.text
        if plan.language and done.method != "refused":
            text = self.translator.back(text, plan.language)
            timings["translate_ms"] = _ms(t0)
        timings["total_ms"] = _ms(t0)
        first = outcomes[0].gathered
        each = [o.gathered.hits for o in outcomes]  # each part's best first: interleaved
        hits = tuple(dict.fromkeys(h for row in zip_longest(*each) for h in row if h is not None))
        evidence = tuple(dict.fromkeys(e for o in outcomes for e in o.gathered.evidence))
        if done.refusal_reason:
            log.info("not answered from the documents (%r): %s", plan.question, done.refusal_reason)
        return Answer(
            plan.question, text, done.method == "refused", done.citations, self.model_name, timings,
            sum(o.tokens for o in outcomes), done.method, hits, evidence, first.judgement, done.refusal_reason,
        )  # fmt: skip

    def warm_up(self) -> str | None:
        """Send the stable prompt prefix once, so the model server caches it before the first question.
        Returns how: "computed", "restored" (from a cache an earlier start saved), or None."""
        t0 = time.perf_counter()
        try:
            how = self.generator.warm_up()
        except Exception as exc:  # a warm-up is an optimisation: the first question pays instead
            log.warning("warm-up failed: %s", exc)
            return None
        if how:
            log.info("prompt cache %s in %.1f s", how, time.perf_counter() - t0)
        return how


def names_missing(question: str, missing: tuple[str, ...]) -> bool:
    """One of the ``missing`` terms is written in ``question`` as a name or an acronym.

    >>> names_missing("What is the capital of France?", ("capit", "france")), names_missing("What is the GDP?", ("gdp",))
    (True, True)
    >>> names_missing("Who presented the blueprints?", ("blueprint",))
    False
    """
    written = {w.lower() for w in as_written(list(missing), question)}
    named = {m.group().lower() for rx in (NAME, SHOUTED) for m in rx.finditer(question)}
    return bool(written & named)


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)
