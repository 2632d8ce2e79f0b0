"""``qa bench``: time the default pipeline on the seed documents.

Prints: index build time (fresh index in a temp folder), retrieval p50, model load time, the
cold answer (first question after start, empty prompt cache) and warm answers p50/p95. With
``--warm-up`` it first fills the prompt cache as the server does at start-up, and times that.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from qa.settings import Settings


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def run_bench(settings: Settings, n_questions: int = 10, warm_up: bool = False) -> int:
    from qa.answer import Part
    from qa.embed import load_embedder
    from qa.evaluate import DEFAULT_SET
    from qa.llm import make_backend
    from qa.pipeline import build_answerer, index_documents

    questions = [
        json.loads(line)["question"]
        for line in DEFAULT_SET.read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line).get("answerable") is True and not json.loads(line).get("history")
    ][:n_questions]
    out: dict[str, float | str] = {}
    t = time.perf_counter()
    embedder = load_embedder(settings.embedder, settings.cache_path)
    out["embedder_load_s"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        s = settings.model_copy(update={"index_dir": Path(tmp) / "index", "chroma_url": None})
        t = time.perf_counter()
        report, _ = index_documents(s, embedder=embedder)
        out["index_build_s"] = time.perf_counter() - t
        out["chunks"] = report.added
        answerer = build_answerer(s, embedder=embedder, backend=None)  # the model is timed on its own below
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
            answerer.warm_up()
            out["prompt_warm_up_s"] = time.perf_counter() - t
        times = []
        for q in questions:
            t = time.perf_counter()
            answerer.answer(q)
            times.append((time.perf_counter() - t) * 1000)
        out["answer_first_after_warm_up_ms" if warm_up else "answer_cold_ms"] = times[0]
        warm = times[1:] or times
        out["answer_warm_p50_ms"] = statistics.median(warm)
        out["answer_warm_p95_ms"] = _pct(warm, 0.95)
        out["answers_timed"] = len(times)
    width = max(len(k) for k in out)
    for k, v in out.items():
        print(f"{k:{width}}  {v:.1f}" if isinstance(v, float) else f"{k:{width}}  {v}")
    return 0
