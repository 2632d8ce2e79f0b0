import pytest

from qa.answer import Answer
from qa.cite import verify
from qa.errors import BadQuestion, LLMUnavailable
from qa.events import Checked, Stage
from tests.conftest import IDLE_SENTENCE, FakeChat

IDLE_Q = "How many anchor projects are idle?"


def _texts(answerer):
    return {s: d.text for s, d in answerer.retriever.docs.items()}


def _numbered(messages, sentence):
    system = messages[0]["content"]
    line = next(line for line in system.splitlines() if line.endswith(sentence))
    return int(line.split("]")[0].lstrip("["))


def test_supported_llm_answer_is_cited(make_answerer):
    chat = FakeChat(lambda m: f"Three projects stand idle. [{_numbered(m, IDLE_SENTENCE)}]")
    a = make_answerer(chat)
    ans = a.answer(IDLE_Q)
    assert not ans.refused and ans.method == "llm"
    assert ans.text == "Three projects stand idle. [1]"
    assert [c.quote for c in ans.citations] == [IDLE_SENTENCE]
    assert all(verify(c, _texts(a)) for c in ans.citations)


def test_wrong_sentence_number_is_recited_from_evidence(make_answerer):
    chat = FakeChat("Three projects stand idle. [1]")  # [1] is the date header: does not support "three"
    ans = make_answerer(chat).answer(IDLE_Q)
    assert ans.method == "llm"
    assert [c.quote for c in ans.citations] == [IDLE_SENTENCE]


def test_unsupported_numbers_fall_back_to_extractive(make_answerer):
    chat = FakeChat("There are 17 idle projects. [11]")
    a = make_answerer(chat)
    ans = a.answer(IDLE_Q)
    assert ans.method == "extractive"
    assert "17" not in ans.text
    assert len(ans.citations) == 1 and ans.text.startswith(ans.citations[0].quote)
    assert verify(ans.citations[0], _texts(a))


def test_arithmetic_over_cited_numbers_is_allowed(make_answerer):
    def reply(m):
        a = _numbered(m, IDLE_SENTENCE)
        return f"12 projects are not operating successfully: nine under implementation and three idle. [{a}]"

    ans = make_answerer(FakeChat(reply)).answer("How many anchor projects are not operating successfully?")
    assert ans.method == "llm" and ans.text == "9 + 3 = 12 [1]"


def test_off_document_question_is_refused_without_asking_the_model(make_answerer):
    chat = FakeChat("The GDP of Kazakhstan is 18.5 trillion tenge. [18]")
    ans = make_answerer(chat).answer("What is the GDP of Kazakhstan?")
    assert ans.refused and ans.citations == () and ans.method == "refused"
    assert chat.seen == []


def test_model_refusal_with_weak_evidence_is_a_refusal(make_answerer):
    chat = FakeChat("NOT IN DOCUMENT.")
    ans = make_answerer(chat).answer("Which anchor projects are in the construction industry?")
    assert ans.refused or ans.method == "extractive"
    assert not ans.text.startswith("NOT IN")


def test_stream_yields_stages_then_checked_pieces_then_the_answer(make_answerer):
    chat = FakeChat(lambda m: f"Three projects stand idle. [{_numbered(m, IDLE_SENTENCE)}]")
    items = list(make_answerer(chat).stream(IDLE_Q))
    stages = [i.name for i in items if isinstance(i, Stage)]
    assert stages == ["searching", "reading", "writing", "checking"]
    pieces = [i.text for i in items if isinstance(i, Checked)]
    final = items[-1]
    assert isinstance(final, Answer) and final.citations
    assert len(pieces) > 1 and "".join(pieces) == final.text
    last_stage = max(i for i, x in enumerate(items) if isinstance(x, Stage))
    assert all(isinstance(x, Stage) for x in items[:last_stage])  # no text before the checks end


def test_stream_never_yields_the_unchecked_draft(make_answerer):
    chat = FakeChat("The GDP of Kazakhstan is 18.5 trillion tenge. [1]")
    items = list(make_answerer(chat).stream("What is the GDP of Kazakhstan?"))
    shown = "".join(i.text for i in items if isinstance(i, Checked)) + " ".join(
        i.detail for i in items if isinstance(i, Stage)
    )
    assert "18.5" not in shown and "GDP of Kazakhstan is" not in shown
    assert items[-1].refused


def test_follow_up_uses_the_conversation(make_answerer):
    chat = FakeChat(lambda m: f"Nine projects are under implementation. [{_numbered(m, IDLE_SENTENCE)}]")
    history = [{"role": "user", "content": IDLE_Q}, {"role": "assistant", "content": "Three projects stand idle. [1]"}]
    ans = make_answerer(chat).answer("and how many are under implementation?", history)
    assert not ans.refused
    assert [c.quote for c in ans.citations] == [IDLE_SENTENCE]
    assert chat.seen[0][1]["content"] == IDLE_Q  # the history reached the model


@pytest.mark.parametrize("q", ["", "   \n", "x" * 2001, None, 42])
def test_bad_questions_are_clear_errors(make_answerer, q):
    with pytest.raises(BadQuestion, match="question"):
        make_answerer(FakeChat("x")).answer(q)


def test_model_failure_is_llm_unavailable(make_answerer):
    chat = FakeChat(LLMUnavailable("the model at http://x timed out"))
    with pytest.raises(LLMUnavailable, match="timed out"):
        make_answerer(chat).answer(IDLE_Q)


def test_extractive_mode_cites_best_sentence(make_answerer):
    a = make_answerer(None)
    ans = a.answer("Which towns have the weakest performance indicators?")
    assert ans.model == "extractive" and not ans.refused
    assert "Temirtau" in ans.citations[0].quote


def test_warm_up_sends_the_stable_prefix_once(make_answerer):
    chat = FakeChat(lambda m: f"Three projects stand idle. [{_numbered(m, IDLE_SENTENCE)}]")
    a = make_answerer(chat)
    a.warm_up()
    assert len(chat.seen) == 1
    a.answer(IDLE_Q)
    assert chat.seen[0][0] == chat.seen[1][0]  # same system message: the server's prompt cache reuses it


def test_large_corpus_prompt_holds_evidence_and_neighbours_only(make_answerer):
    seen = {}

    def reply(m):
        seen["system"] = m[0]["content"]
        return f"Three projects stand idle. [{_numbered(m, IDLE_SENTENCE)}]"

    a = make_answerer(FakeChat(reply), context_chars=500)  # the seed (2,432 chars) no longer fits
    ans = a.answer(IDLE_Q)
    lines = [x for x in seen["system"].splitlines() if x.startswith("[")]
    assert 0 < len(lines) < len(a.retriever.sentences)
    assert any(x.endswith(IDLE_SENTENCE) for x in lines)
    assert ans.citations[0].quote == IDLE_SENTENCE
