"""``qa bench``: time the default pipeline on the seed documents.

- default: index build (fresh index in a temp folder), retrieval p50, model load, the cold answer
  and warm answers p50/p95; ``--warm-up`` first fills the prompt cache as the server does.
- ``--decode``: the same questions under each decoding option (speculative decoding, a stop
  sequence), one model load each: decode tok/s, answer p50/p95, time to first token and to the
  first checked text, accuracy, and how many answers differ from the baseline's.
- ``--start``: start-up to ready, step by step (``qa.startup.load_models``); ``--cold`` first
  deletes the saved prompt caches.
- ``--scale N`` (``qa.scale``) and ``--peers`` (``qa.peers``).
"""

from __future__ import annotations

import gc
import logging
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from qa.llm import ChatBackend, Message
from qa.settings import Settings

log = logging.getLogger(__name__)

# name -> ``Embedded`` keyword arguments; "baseline" first: the others are compared with it.
# Measured (README, Benchmark): none beat the baseline, so none is a setting.
DECODE_OPTIONS: dict[str, dict] = {
    "baseline": {},
    "ngram-simple n=3": {"speculative": ("ngram-simple", 3, 16)},
    "ngram-simple n=2": {"speculative": ("ngram-simple", 2, 16)},
    "ngram-map-k n=3": {"speculative": ("ngram-map-k", 3, 16)},
    "ngram-mod": {"speculative": ("ngram-mod", 3, 16)},
    "stop at newline": {"stop": ("\n",)},
    "flash-attn on": {"params": {"flash_attn_type": "LLAMA_FLASH_ATTN_TYPE_ENABLED"}},
    "flash-attn off": {"params": {"flash_attn_type": "LLAMA_FLASH_ATTN_TYPE_DISABLED"}},
    "poll 100": {"params": {"cpuparams.poll": 100, "cpuparams_batch.poll": 100}},
    "priority high": {"params": {"cpuparams.priority": "GGML_SCHED_PRIO_HIGH"}},
    "greedy sampler": {"params": {"sampling.top_k": 1, "sampling.samplers": "top_k"}},
}


def pct(xs: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``xs``.

    >>> pct([3.0, 1.0, 2.0], 0.5)
    2.0
    """
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def print_table(rows: dict[str, float | str | int | None]) -> None:
    width = max(len(k) for k in rows)
    for k, v in rows.items():
        print(f"{k:{width}}  {v:.2f}" if isinstance(v, float) else f"{k:{width}}  {v}")


def seed_items(texts: dict[str, str], n: int, split: str | None = None, answerable_only: bool = True) -> list:
    """The first ``n`` seed-set items without history (answerable ones only, by default)."""
    from qa.evaluate import DEFAULT_SET, load_items

    items = [i for i in load_items(DEFAULT_SET, texts) if not i.history and (split is None or i.split == split)]
    return [i for i in items if i.answerable is True or not answerable_only][:n]


class Timed(ChatBackend):
    """Wraps a backend and records, per request, the reply and when each piece arrived."""

    def __init__(self, inner: ChatBackend) -> None:
        self.inner, self.name = inner, inner.name
        self.calls: list[tuple[str, float, list[float]]] = []  # (text, start, piece arrival times)

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        t0, times, parts = time.perf_counter(), [], []
        for piece in self.inner.stream(messages, max_tokens):
            times.append(time.perf_counter())
            parts.append(piece)
            yield piece
        self.tokens_generated = self.inner.tokens_generated
        self.calls.append(("".join(parts), t0, times))

    def yes_probability(self, messages: list[Message]) -> float:
        return self.inner.yes_probability(messages)

    def prime(self, messages: list[Message]) -> str:
        return self.inner.prime(messages)

    def close(self) -> None:
        self.inner.close()


def _temp_answerer(settings: Settings, tmp: str, out: dict):
    """Embedder, a fresh index of the seeds in ``tmp`` and an answerer without a model."""
    from qa.embed import load_embedder
    from qa.pipeline import build_answerer, index_documents

    t = time.perf_counter()
    embedder = load_embedder(settings.embedder, settings.cache_path)
    out["embedder_load_s"] = time.perf_counter() - t
    s = settings.model_copy(update={"index_dir": Path(tmp) / "index", "chroma_url": None})
    t = time.perf_counter()
    report, _ = index_documents(s, embedder=embedder)
    out["index_build_s"] = time.perf_counter() - t
    out["chunks"] = report.added
    return build_answerer(s, embedder=embedder, backend=None), s


def run_bench(settings: Settings, n_questions: int = 10, warm_up: bool = False) -> int:
    from qa.answer import Part
    from qa.llm import make_backend

    out: dict[str, float | str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        answerer, _ = _temp_answerer(settings, tmp, out)
        questions = [i.question for i in seed_items(answerer.retriever.texts, n_questions)]
        lat = []
        for q in questions:
            t = time.perf_counter()
            answerer.gatherer.gather(Part(q))
            lat.append((time.perf_counter() - t) * 1000)
        out["retrieval_p50_ms"] = statistics.median(lat)
        t = time.perf_counter()
        answerer.backend = make_backend(settings)  # every stage that uses the model gets it
        out["model_load_s"] = time.perf_counter() - t
        out["model"] = answerer.model_name
        if warm_up:  # what the server does at start-up
            t = time.perf_counter()
            out["prompt_cache"] = answerer.warm_up() or "none"
            out["prompt_warm_up_s"] = time.perf_counter() - t
        times = []
        for q in questions:
            t = time.perf_counter()
            answerer.answer(q)
            times.append((time.perf_counter() - t) * 1000)
        out["answer_first_after_warm_up_ms" if warm_up else "answer_cold_ms"] = times[0]
        warm = times[1:] or times
        out["answer_warm_p50_ms"] = statistics.median(warm)
        out["answer_warm_p95_ms"] = pct(warm, 0.95)
        out["answers_timed"] = len(times)
    print_table(out)
    return 0


def _ask(answerer, question: str) -> tuple[object, float, float]:
    """The final Answer, ms to the first checked text, ms in all (through ``stream``, as the UI)."""
    from qa.answer import Answer
    from qa.events import Checked

    t0 = time.perf_counter()
    first, final = None, None
    for item in answerer.stream(question):
        if isinstance(item, Checked) and first is None:
            first = (time.perf_counter() - t0) * 1000
        if isinstance(item, Answer):
            final = item
    total = (time.perf_counter() - t0) * 1000
    return final, first if first is not None else total, total


def _decode_rate(backend: Timed, base: str) -> tuple[float, int]:
    """Decode tokens/s over all timed replies (tokens counted by the server's /tokenize), and tokens."""
    import httpx

    n, secs = 0, 0.0
    for text, _, times in backend.calls:
        if len(times) < 2:
            continue
        key = getattr(backend.inner, "api_key", None)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        r = httpx.post(base + "/tokenize", json={"content": text}, headers=headers, timeout=30)
        k = len(r.json().get("tokens", [])) if r.status_code == 200 else len(times)
        n, secs = n + k, secs + (times[-1] - times[0])
        n -= 1  # the first token comes with the prefill
    return (n / secs if secs else float("nan")), n


def _check_decode(settings: Settings, chosen: list[str]) -> None:
    from qa.errors import LLMUnavailable

    if settings.llm != "embedded" or settings.llm_base_url:
        raise LLMUnavailable("--decode compares llama.cpp options of the embedded model: use QA_LLM=embedded")
    unknown = set(chosen) - set(DECODE_OPTIONS)
    if unknown:
        raise LLMUnavailable(f"--option {sorted(unknown)}: choose from {list(DECODE_OPTIONS)}")


def _decode_row(name: str, answerer, s: Settings, items: list) -> tuple[dict, list[str]]:
    """Answer ``items`` with a model started with option ``name``: the row and the answer texts."""
    from qa.evaluate import is_correct
    from qa.llm import Embedded
    from qa.models import gguf_path

    slots = s.cache_path / "slots" if s.llm_save_prompt_cache else None
    gguf = gguf_path(s.embedded_model, s.cache_path)
    backend = Timed(Embedded(gguf, threads=s.llm_threads, slot_dir=slots, **DECODE_OPTIONS[name]))
    answerer.backend = backend
    answerer.warm_up()
    backend.calls.clear()
    try:
        rows = [_ask(answerer, i.question) for i in items]
        rate, tokens = _decode_rate(backend, backend.inner.base_url.removesuffix("/v1"))
    finally:
        answerer.backend = None
        backend.close()
        del backend
        gc.collect()
    totals = [t for _, _, t in rows]
    return {
        "tok/s": rate,
        "tokens": tokens,
        "p50 ms": statistics.median(totals),
        "p95 ms": pct(totals, 0.95),
        "1st tok": statistics.median(a.timings_ms.get("first_token_ms", 0.0) for a, _, _ in rows),
        "1st chk": statistics.median(f for _, f, _ in rows),
        "acc": statistics.fmean(is_correct(i, a.text, a.refused) for i, (a, _, _) in zip(items, rows, strict=True)),
    }, [a.text for a, _, _ in rows]


def run_decode(settings: Settings, n_questions: int = 15, options: list[str] | None = None) -> int:
    """Each decoding option on the same questions, one model load each; answers compared."""
    chosen = options or list(DECODE_OPTIONS)
    _check_decode(settings, chosen)
    out: dict[str, float | str] = {}
    baseline: list[str] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        answerer, s = _temp_answerer(settings, tmp, out)
        items = seed_items(answerer.retriever.texts, n_questions)
        print_table(out | {"questions": len(items)})
        cols = ["tok/s", "tokens", "p50 ms", "p95 ms", "1st tok", "1st chk", "acc", "differ"]
        print(f"\n{'option':18} " + " ".join(f"{c:>7}" for c in cols))
        for name in chosen:
            row, texts = _decode_row(name, answerer, s, items)
            baseline = baseline or texts
            row["differ"] = sum(a != b for a, b in zip(texts, baseline, strict=True))
            cells = [
                f"{row[c]:7.2f}" if c == "acc" else f"{row[c]:7.1f}" if c == "tok/s" else f"{row[c]:7.0f}" for c in cols
            ]
            print(f"{name:18} " + " ".join(cells), flush=True)
            for k, (a, b) in enumerate(zip(texts, baseline, strict=True)):
                if a != b:
                    log.info("%s changed answer %d: %r -> %r", name, k, b, a)
    return 0


def run_start(settings: Settings, cold: bool = False) -> int:
    """Start-up to ready, as the server does it (``qa.startup.load_models``), step by step."""
    from qa.startup import load_models

    slots = settings.cache_path / "slots"
    if cold and slots.is_dir():
        for f in slots.glob("qa-*.slot"):
            f.unlink()
    timings: dict = {}
    t = time.perf_counter()
    answerer = load_models(settings, timings)
    timings["ready_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    q = "How many anchor projects are idle?"
    ans, first, _ = _ask(answerer, q)
    timings["first_answer_s"] = round(time.perf_counter() - t, 2)
    timings["first_checked_text_s"] = round(first / 1000, 2)
    timings["first_answer"] = ans.text
    print_table(timings)
    if answerer.backend:
        answerer.backend.close()
    return 0


def run_corpora(settings: Settings, n_questions: int = 15, names: str = "seed,docs") -> int:
    """Warm answer latency per eval corpus in one process (one model load, each corpus's own index),
    on its first ``n_questions`` answerable dev items without history; each corpus's p50 against
    the first's, so a ratio is measured under the same machine load."""
    from qa.evalcorpus import Models, select
    from qa.evaluate import is_correct, load_items

    models = Models(settings)
    rows: dict[str, dict] = {}
    for corpus in select(names, settings.root):
        models.index(settings, corpus)
        answerer = models.answerer(settings, corpus)
        answerer.warm_up()
        items = [i for i in load_items(corpus.items_path(settings.root), answerer.retriever.texts) if i.split == "dev"]
        items = [i for i in items if i.answerable is True and not i.history][:n_questions]
        asked = [(i, _ask(answerer, i.question)) for i in items]
        totals = [total for _, (_, _, total) in asked]
        rows[corpus.name] = {
            "questions": len(items),
            "p50 ms": statistics.median(totals),
            "p95 ms": pct(totals, 0.95),
            "1st chk": statistics.median(first for _, (_, first, _) in asked),
            "acc": statistics.fmean(is_correct(i, a.text, a.refused) for i, (a, _, _) in asked),
        }
    first = next(iter(rows.values()))["p50 ms"] if rows else 0.0
    print(f"{'corpus':10} {'questions':>9} {'p50 ms':>8} {'p95 ms':>8} {'1st chk':>8} {'acc':>5} {'p50 x':>6}")
    for name, r in rows.items():
        ratio = r["p50 ms"] / first if first else 0.0
        print(
            f"{name:10} {r['questions']:9d} {r['p50 ms']:8.0f} {r['p95 ms']:8.0f} {r['1st chk']:8.0f} "
            f"{r['acc']:5.2f} {ratio:6.2f}"
        )
    return 0


def run_prefill(settings: Settings, sizes: tuple[int, ...] = (400, 800, 1600)) -> int:
    """How fast llama.cpp reads a block it has not cached (what a corpus larger than the prompt
    pays per question): for each size in characters, two fresh passages of the docs corpus after
    a short system message, one token generated; llama.cpp's own prompt timings."""
    from qa.llm import Embedded
    from qa.models import gguf_path

    text = " ".join((settings.root / "evals" / "docs" / "gpl-3.0.txt").read_text(encoding="utf-8").split())
    backend = Embedded(gguf_path(settings.embedded_model, settings.cache_path), threads=settings.llm_threads)
    print(f"{'chars':>6} {'tokens':>7} {'prompt ms':>10} {'tokens/s':>9}")
    start = 2000  # each block new text: a block that began like an earlier one would be read from the cache
    try:
        for size in sizes:
            for _ in range(2):
                start += size + 100
                messages = [
                    {"role": "system", "content": "You answer questions about the documents."},
                    {"role": "user", "content": f"{text[start : start + size]}\nQuestion: what is this about?"},
                ]
                r = backend._server.handle_chat_completions({"messages": messages, "max_tokens": 1, "temperature": 0})
                t = r["timings"]
                print(f"{size:6d} {t['prompt_n']:7d} {t['prompt_ms']:10.0f} {t['prompt_per_second']:9.1f}", flush=True)
    finally:
        backend.close()
    return 0
