"""Parallel clauses: a neighbouring sentence giving another figure of the answer's kind."""

from qa.answer import Accept, Part
from qa.answer.rivals import measures, rivals
from qa.documents import Span
from tests.conftest import FakeChat

YEARLY = "In his words, 348.4 billion tenge were allocated"
THIS_YEAR = "In 2024, this amount will reach 62.8 billion tenge"


class _Prefers(FakeChat):
    """A model surer that sentences holding ``words`` answer the question than others."""

    def __init__(self, words: str, sure: float = 0.7, unsure: float = 0.5) -> None:
        super().__init__("Yes")
        self.words, self.sure, self.unsure = words, sure, unsure

    def yes_probability(self, messages):
        self.seen.append(messages)
        return self.sure if self.words in messages[-1]["content"] else self.unsure


def _sentence(a, start):
    return next(s for s in a.retriever.sentences if s.text.startswith(start))


def test_a_figure_is_known_by_the_word_that_says_what_it_counts():
    assert measures("prior to 60 days after, 30 Days later") == {("60", "day"), ("30", "day")}
    assert measures("from 2019 to 2023, 41 of them, 40%") == {("40", "%")}  # years and "41 of" count nothing


def test_a_rival_gives_another_figure_of_the_same_kind_beside_the_cited_sentence():
    doc = [
        Span("d", 0, 10, "Cure within 60 days after you comply."),
        Span("d", 11, 20, "Cure within 30 days after a first notice."),
        Span("d", 21, 30, "Fees are 30 euros."),
        Span("d", 31, 40, "Or cure within 90 days."),
    ]
    found = rivals("You have 60 days.", "How long?", [doc[0]], lambda source: doc, 1)
    assert [s.text for s in found] == [doc[1].text]  # 30 euros is another kind; 90 days is too far
    assert [s.text for s in rivals("You have 60 days.", "How long?", [doc[0]], lambda source: doc, 3)] == [
        doc[1].text,
        doc[3].text,
    ]
    assert rivals("60 days.", "Is it 60 days?", [doc[0]], lambda source: doc, 1) == []  # the question's own figure


def test_the_neighbouring_clause_the_model_prefers_replaces_the_answer(make_answerer):
    a = make_answerer(None)
    v, part = a.verifier, Part("How much will be allocated this year?")
    first, then = _sentence(a, YEARLY), _sentence(a, THIS_YEAR)
    wrong = v._accept("348.4 billion tenge.", [first])
    assert isinstance(wrong, Accept)
    v.backend = _Prefers("62.8")
    better = v.preferred(part, wrong)
    assert [c.quote for c in better.citations] == [then.text] and "62.8 billion" in better.text
    assert len(v.backend.seen) == 2  # the cited sentence and its one rival
    v.backend = _Prefers("nowhere")  # no preference: the answer stands
    assert v.preferred(part, wrong) == wrong
    v.backend, v.rival = _Prefers("62.8"), (1, 0.25)  # preferred by 0.2, less than the margin
    assert v.preferred(part, wrong) == wrong
    v.rival = (0, 0.0)  # no neighbours searched
    assert v.preferred(part, wrong) == wrong
    v.rival = (1, 0.0)
    assert v.preferred(Part(part.text, document=first.source), wrong) == wrong  # one side of a comparison


class _Knows(FakeChat):
    """A model sure of sentences holding ``words`` only when the question names ``asked``."""

    def __init__(self, asked: str, words: str) -> None:
        super().__init__("Yes")
        self.asked, self.words = asked, words

    def yes_probability(self, messages):
        sentence, _, question = messages[-1]["content"].partition("\nQuestion: ")
        return 0.8 if self.asked in question and self.words in sentence else 0.5


def test_a_rival_is_weighed_against_the_question_with_the_ask_it_follows(make_answerer):
    a = make_answerer(None)
    v, first, then = a.verifier, _sentence(a, YEARLY), _sentence(a, THIS_YEAR)
    wrong = v._accept("184 billion tenge.", [first])
    v.backend = _Knows("2024", "62.8")
    part = Part("How much of that comes from the national budget?", context="How much will be allocated in 2024?")
    assert [c.quote for c in v.preferred(part, wrong).citations] == [then.text]  # "that" is 2024's amount
    assert v.preferred(Part(part.text), wrong) == wrong  # without the ask before it, nothing says which
