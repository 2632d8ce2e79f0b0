"""``qa bench --peers``: the stock chain, the scoring and the item choice, with fakes."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from qa.peers import DONT_KNOW, dev_items, rag_chain, score_system
from tests.conftest import IDLE_SENTENCE


def test_stock_chain_puts_retrieved_chunks_in_the_prompt(make_answerer):
    a = make_answerer(None)
    llm = FakeListChatModel(responses=["Three projects are idle."])
    seen = []
    chain = rag_chain(
        a.retriever, "http://unused/v1", 4, 64, llm=llm.with_listeners(on_start=lambda run: seen.append(run))
    )
    assert chain.invoke("How many anchor projects are idle?") == "Three projects are idle."
    prompt = str(seen[0].inputs)
    assert "retrieved context" in prompt and "How many anchor projects are idle?" in prompt
    assert IDLE_SENTENCE.split(",")[0] in prompt  # the chunk holding the answer was retrieved


def test_dont_know_detects_the_stock_refusals():
    assert DONT_KNOW.search("I don't know.") and DONT_KNOW.search("The context does not mention it.")
    assert not DONT_KNOW.search("Three projects are idle.")


def test_dev_items_limit_keeps_a_spread_and_scoring_counts(make_answerer):
    texts = make_answerer(None).retriever.texts
    items = dev_items(texts, None)
    assert items and all(i.split == "dev" and not i.history for i in items)
    few = dev_items(texts, 5)
    assert len(few) == 5 and few[0] == items[0] and few[-1] != items[4]
    row = score_system("x", few, lambda q: ("The documents do not say.", True))
    n_unanswerable = sum(i.answerable is False for i in few)
    assert row["items"] == 5 and row["accuracy"] == sum(i.answerable is not True for i in few) / 5
    assert row["p50_ms"] >= 0 and (row["unanswerable"] == 1.0 or n_unanswerable == 0)
