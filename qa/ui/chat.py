"""The chat's server side: one question in, a stream of chat updates out.

``answer_updates`` runs ``Answerer.stream`` in a worker thread and turns what it yields into the
assistant message to show: a progress line (stage and a ticking elapsed time) at once and every
``TICK`` seconds, the checked text as it arrives, then the rendered answer. Nothing else is
shown: the model's draft never reaches this module. Errors become a message with what to do.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator

from qa.answer import Answer, Answerer
from qa.errors import QAError
from qa.events import Checked, Stage
from qa.ui.render import _history, render_answer, render_checked, render_document, render_error, render_stage

log = logging.getLogger(__name__)
TICK = 0.25  # seconds between progress updates while a stage runs
_DONE = object()


def run_stream(answerer: Answerer, question: str, history: list, timeout: float) -> Iterator[object]:
    """What ``answerer.stream`` yields, produced in a worker thread; ``None`` every ``TICK``
    seconds while nothing new came. Raises what the stream raised, or ``TimeoutError``."""
    q: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            for item in answerer.stream(question, history):
                q.put(item)
            q.put(_DONE)
        except BaseException as exc:  # handed to the reader, which re-raises it
            q.put(exc)

    threading.Thread(target=work, name="qa-ui-answer", daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        try:
            item = q.get(timeout=TICK)
        except queue.Empty:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer after {timeout:.0f} s") from None
            yield None
            continue
        if item is _DONE:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def answer_updates(
    get_answerer: Callable[[], Answerer | None], question: str, history: list, timeout: float
) -> Iterator[tuple[str, str | None]]:
    """(assistant message HTML, document panel HTML or None for unchanged) for one question."""
    t0 = time.monotonic()
    stage = Stage("searching", "searching the documents", 0.0)
    yield render_stage(stage, 0.0), None
    answerer = get_answerer()
    if answerer is None:
        yield render_error("the models are still loading."), None
        return
    checked = ""
    try:
        for item in run_stream(answerer, question, _history(history), timeout):
            if isinstance(item, Stage):
                stage = item
            elif isinstance(item, Checked):
                checked += item.text
            elif isinstance(item, Answer):
                texts = answerer.retriever.texts
                yield render_answer(item, texts), render_document(item, texts)
                return
            line = render_stage(stage, time.monotonic() - t0)
            yield (render_checked(checked, line) if checked else line), None
    except QAError as exc:
        yield render_error(str(exc)), None
    except TimeoutError as exc:
        yield render_error(f"{exc}; the model may be busy."), None
    except Exception as exc:
        log.exception("the chat failed on %r", question)
        yield render_error(f"the server hit an error ({type(exc).__name__})."), None
