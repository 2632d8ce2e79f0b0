"""Server start-up, fast: the embedder (then the index) and the language model load in parallel
threads, then the documents' prompt is put in the model's cache, restored from disk when an
earlier start saved it (``qa.fastllm``). ``qa bench --start`` times each step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from qa.answer import Answerer
from qa.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def _timed(timings: dict[str, float], key: str, fn: Callable[..., T], *args) -> T:
    t = time.perf_counter()
    try:
        return fn(*args)
    finally:
        timings[key] = round(time.perf_counter() - t, 2)


def open_answerer(settings: Settings, embedder) -> Answerer:
    """The answerer without a model; indexes the default documents first if there is no index."""
    from qa.errors import IndexMissing
    from qa.pipeline import build_answerer, index_documents

    try:
        return build_answerer(settings, embedder=embedder, backend=None)
    except IndexMissing:
        log.info("no index yet: indexing %s", settings.default_docs)
        index_documents(settings, embedder=embedder)
        return build_answerer(settings, embedder=embedder, backend=None)


def load_models(settings: Settings, timings: dict | None = None) -> Answerer:
    """Load every model once and warm the prompt cache; what ``load_answerer`` does, in parallel.

    ``timings`` (if given) receives seconds per step: embedder_load_s, index_open_s, model_load_s,
    models_ready_s (the parallel part, wall clock), prompt_cache_s and prompt_cache ("restored",
    "computed" or "none").
    """
    from qa.embed import load_embedder
    from qa.llm import make_backend

    timings = {} if timings is None else timings
    t0 = time.perf_counter()
    log.info("loading embedder %s and language model (%s) in parallel", settings.embedder, settings.llm)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm-load") as pool:
        model = pool.submit(_timed, timings, "model_load_s", make_backend, settings)
        try:
            embedder = _timed(
                timings,
                "embedder_load_s",
                load_embedder,
                settings.embedder,
                settings.cache_path,
                settings.embed_backend,
            )
            answerer = _timed(timings, "index_open_s", open_answerer, settings, embedder)
        finally:
            backend = model.result()  # waits; re-raises a model error
        answerer.backend = backend
    timings["models_ready_s"] = round(time.perf_counter() - t0, 2)
    how = _timed(timings, "prompt_cache_s", answerer.warm_up)
    timings["prompt_cache"] = how or "none"
    log.info("ready in %.1f s (prompt cache %s): %s", time.perf_counter() - t0, how or "none", timings)
    return answerer
