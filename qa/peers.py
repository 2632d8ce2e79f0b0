"""``qa bench --peers``: our answers beside two common ways to answer the same questions.

- ``langchain-rag``: the stock LangChain RAG chain: the top chunks from our Chroma index (same
  embedder, same retrieval call), the usual "use the following pieces of retrieved context"
  prompt, ``ChatOpenAI`` pointed at the same embedded llama.cpp server; no checks.
- ``bm25-sentence``: no model: the best BM25 sentence of the corpus (``qa.evaluate.BaselineAnswerer``).
- ``ours``: ``Answerer`` as the server runs it (prompt cache warmed first).

All are scored by ``qa.evaluate.is_correct`` on the seed set's dev split (items without history).
"""

from __future__ import annotations

import logging
import re
import statistics
import tempfile
import time
from collections.abc import Callable

from qa.settings import Settings

log = logging.getLogger(__name__)

# The widely copied LangChain RAG prompt (hub "rlm/rag-prompt"), written out: offline.
RAG_PROMPT = (
    "You are an assistant for question-answering tasks. Use the following pieces of retrieved context "
    "to answer the question. If you don't know the answer, just say that you don't know. Use three "
    "sentences maximum and keep the answer concise.\nQuestion: {question}\nContext: {context}\nAnswer:"
)
# How a free-text answer says it cannot answer (the stock chain has no refusal of its own).
DONT_KNOW = re.compile(
    r"\b(?:i )?(?:do not|don't) know\b|not (?:in|found in|mentioned in|stated in|provided in|given in) the "
    r"(?:document|text|context)|(?:does|do) not (?:say|contain|mention|provide|specify)|no information",
    re.I,
)


def rag_chain(retriever, base_url: str, k: int, max_tokens: int, llm=None, api_key: str | None = None):
    """The stock chain: ``{context: retrieve | join, question} | prompt | ChatOpenAI | str``
    (``llm``: another LangChain chat model, for tests)."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnableLambda, RunnablePassthrough
    from langchain_openai import ChatOpenAI

    def context(question: str) -> str:
        return "\n\n".join(h.chunk.text for h in retriever.retrieve(question, k))

    llm = llm or ChatOpenAI(
        base_url=base_url, api_key=api_key or "none", model="local", temperature=0, max_tokens=max_tokens
    )
    prompt = ChatPromptTemplate.from_messages([("human", RAG_PROMPT)])
    return {"context": RunnableLambda(context), "question": RunnablePassthrough()} | prompt | llm | StrOutputParser()


def score_system(name: str, items: list, ask: Callable[[str], tuple[str, bool]]) -> dict:
    """Accuracy (all, answerable, unanswerable) and latency p50/p95 of ``ask`` over ``items``."""
    from qa.bench import pct
    from qa.evaluate import is_correct

    right, lat = [], []
    for item in items:
        t = time.perf_counter()
        text, refused = ask(item.question)
        lat.append((time.perf_counter() - t) * 1000)
        right.append(is_correct(item, text, refused))
        log.info("%s %s: %r -> %s", name, item.id, text, right[-1])
    answerable = [r for r, i in zip(right, items, strict=True) if i.answerable is True]
    refuse = [r for r, i in zip(right, items, strict=True) if i.answerable is False]
    return {
        "system": name,
        "items": len(items),
        "accuracy": statistics.fmean(right),
        "answerable": statistics.fmean(answerable) if answerable else float("nan"),
        "unanswerable": statistics.fmean(refuse) if refuse else float("nan"),
        "p50_ms": statistics.median(lat),
        "p95_ms": pct(lat, 0.95),
    }


def dev_items(texts: dict[str, str], limit: int | None) -> list:
    """The dev split without history; ``limit`` keeps every k-th one, so each kind stays in."""
    from qa.evaluate import DEFAULT_SET, load_items

    items = [i for i in load_items(DEFAULT_SET, texts) if i.split == "dev" and not i.history]
    if limit and limit < len(items):
        step = len(items) / limit
        items = [items[int(j * step)] for j in range(limit)]
    return items


def run_peers(settings: Settings, limit: int | None = None) -> int:
    from qa.bench import _temp_answerer
    from qa.evaluate import BaselineAnswerer
    from qa.llm import make_backend

    with tempfile.TemporaryDirectory() as tmp:
        answerer, s = _temp_answerer(settings, tmp, {})
        items = dev_items(answerer.retriever.texts, limit)
        answerer.backend = make_backend(s)
        answerer.warm_up()
        rows = []

        def ours(q: str) -> tuple[str, bool]:
            a = answerer.answer(q)
            return a.text, a.refused

        rows.append(score_system("ours", items, ours))
        base = BaselineAnswerer(answerer)
        rows.append(score_system("bm25-sentence", items, lambda q: ((a := base.answer(q)).text, a.refused)))
        base_url = getattr(answerer.backend, "base_url", None) or s.llm_base_url
        key = getattr(answerer.backend, "api_key", None) or s.llm_api_key  # the embedded server's own key
        chain = rag_chain(answerer.retriever, base_url, s.top_k, s.max_tokens, api_key=key)

        def stock(q: str) -> tuple[str, bool]:
            text = chain.invoke(q).strip()
            return text, bool(DONT_KNOW.search(text))

        rows.append(score_system("langchain-rag", items, stock))
        if answerer.backend:
            answerer.backend.close()
    print(f"{'system':14} {'items':>5} {'acc':>5} {'answ.':>5} {'unans.':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for r in rows:
        print(f"{r['system']:14} {r['items']:5d} {r['accuracy']:5.2f} {r['answerable']:5.2f} "
              f"{r['unanswerable']:6.2f} {r['p50_ms']:7.0f} {r['p95_ms']:7.0f}")  # fmt: skip
    return 0
