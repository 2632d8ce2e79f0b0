"""The Gradio page: chat (input, Send, Stop, Regenerate) beside a tabbed panel with the cited
passage and the indexed documents (list, viewer, upload); a footer link to the API docs.

On a narrow screen the panel column wraps below the chat, and a click on a citation scrolls it
into view. Every event is private (not a public Gradio API): the HTTP API is /api and /v1.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import gradio as gr

from qa.answer import Answerer
from qa.errors import QAError
from qa.events import Stage
from qa.settings import Settings
from qa.ui import library
from qa.ui.chat import answer_updates
from qa.ui.render import EMPTY_PANEL, render_span, render_stage

log = logging.getLogger(__name__)

EXAMPLES = [
    "How many anchor projects are idle?",
    "How much do the comprehensive plans cost?",
    "Which towns show the weakest performance?",
    "What is the GDP of Kazakhstan?",
]
INTRO = (
    "## Ask the documents\nAnswers come only from the indexed documents; each claim cites an exact, "
    "highlighted span (click [1] to see it in the document). When the documents do not say, the answer says so."
)
FOOTER = '<div class="qa-footer"><a href="/docs">Use via API</a> · <a href="/api/health">Status</a></div>'
PRIVATE = {"api_visibility": "private"}
# shown with the question itself, before the answer's first event arrives from the queue
STARTING = {"role": "assistant", "content": render_stage(Stage("searching", "searching the documents", 0.0))}


def _text(content) -> str:
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def _locked(locked: bool) -> tuple:
    """Updates for the input box, Send and Regenerate: off while an answer runs, so a second
    question cannot overwrite the one being answered."""
    return tuple(gr.update(interactive=not locked) for _ in range(3))


def take_question(text: str, history: list):
    """Send: the question becomes a user message and the pending question; empty input does nothing.
    Returns (box, chat, pending question, Send, Regenerate)."""
    if not text or not text.strip():
        return gr.skip(), gr.skip(), "", gr.skip(), gr.skip()
    q = text.strip()
    _, send, regen = _locked(True)
    chat = [*(history or []), {"role": "user", "content": q}, STARTING]
    return gr.update(value="", interactive=False), chat, q, send, regen


def retake_question(history: list):
    """Regenerate: drop the last answer and ask its question again. Returns (chat, pending question,
    box, Send, Regenerate)."""
    history = list(history or [])
    while history and history[-1].get("role") == "assistant":
        history.pop()
    if not history:
        return gr.skip(), "", gr.skip(), gr.skip(), gr.skip()
    return [*history, STARTING], _text(history[-1].get("content")), *_locked(True)


def stopped(history: list):
    """Stop: an unfinished progress line becomes 'Stopped.'; the controls are on again."""
    history = list(history or [])
    if history and history[-1].get("role") == "assistant" and 'class="stage"' in _text(history[-1].get("content")):
        history[-1] = {"role": "assistant", "content": '<span class="stopped">Stopped.</span>'}
    return history, *_locked(False)


def build_ui(get_answerer: Callable[[], Answerer | None], settings: Settings):
    """The page as a ``gr.Blocks`` (not mounted)."""
    with gr.Blocks(title="Document QA") as demo:
        gr.Markdown(INTRO)
        with gr.Row(equal_height=False):
            chat = _chat_column(settings)
            panel = _panel_column()
        chat["pick"] = gr.Textbox(elem_id="qa-pick", label="Citation to show", container=False)
        gr.HTML(FOOTER)
        _wire_chat(chat, panel, get_answerer, settings)
        _wire_documents(demo, panel, get_answerer, settings)
    return demo


def _chat_column(settings: Settings) -> dict:
    with gr.Column(scale=3, min_width=360):
        chatbot = gr.Chatbot(
            elem_id="qa-chat", label="Chat", height=520, sanitize_html=True, feedback_options=None,
            buttons=["copy"], examples=[{"text": q} for q in EXAMPLES],
            placeholder="Ask a question about the indexed documents.",
        )  # fmt: skip
        with gr.Row(equal_height=True):
            box = gr.Textbox(
                label="Question", show_label=False, placeholder="Ask a question about the documents",
                max_length=settings.max_question_chars, lines=1, scale=8, autofocus=True, elem_id="qa-input",
            )  # fmt: skip
            send = gr.Button("Send", variant="primary", scale=1, min_width=80, elem_id="qa-send")
        with gr.Row():
            stop = gr.Button("Stop", size="sm", elem_id="qa-stop")
            regen = gr.Button("Regenerate", size="sm", elem_id="qa-regen")
    return {"chatbot": chatbot, "box": box, "send": send, "stop": stop, "regen": regen}


def _panel_column() -> dict:
    """The cited passage and the documents, as tabs; below the chat on a narrow screen."""
    with gr.Column(scale=2, min_width=320, elem_id="qa-doc-panel"), gr.Tabs(selected="cited") as tabs:
        with gr.Tab("Cited passage", id="cited"):
            doc = gr.HTML(EMPTY_PANEL, label="Cited document")
        with gr.Tab("Documents", id="docs"):
            table = gr.HTML(label="Indexed documents")
            choose = gr.Dropdown(label="Read a document", choices=[], value=None)
            viewer = gr.HTML(library.render_text(None, {}))
            upload = gr.UploadButton(
                "Add documents (.txt, .md)", file_types=[".txt", ".md"], file_count="multiple",
                size="sm", elem_id="qa-upload",
            )  # fmt: skip
            status = gr.Markdown()
    return {"tabs": tabs, "doc": doc, "table": table, "choose": choose, "viewer": viewer, "upload": upload,
            "status": status}  # fmt: skip


def _wire_chat(c: dict, p: dict, get_answerer, settings: Settings) -> None:
    """Send (button or Enter), examples, Regenerate (button or ↻ on the message), Stop, citation clicks."""
    respond = _responder(get_answerer, settings.llm_timeout * 2)  # translation + answer, each up to the limit
    pending = gr.State("")
    controls = [c["box"], c["send"], c["regen"]]
    # "multiple": after Stop, Gradio's client may still count the cancelled answer as running and
    # would skip the next one; the locked controls already prevent two answers at once
    answer = {"fn": respond, "inputs": [pending, c["chatbot"]], "outputs": [c["chatbot"], p["doc"], p["tabs"]],
              "concurrency_id": "answer", "trigger_mode": "multiple", **PRIVATE}  # fmt: skip
    unlock = {"fn": lambda: _locked(False), "inputs": None, "outputs": controls, "queue": False, **PRIVATE}
    take = {"fn": take_question, "inputs": [c["box"], c["chatbot"]], "trigger_mode": "always_last",
            "outputs": [c["box"], c["chatbot"], pending, c["send"], c["regen"]], "queue": False, **PRIVATE}  # fmt: skip
    retake = {"fn": retake_question, "inputs": [c["chatbot"]], "outputs": [c["chatbot"], pending, *controls],
              "queue": False, **PRIVATE}  # fmt: skip
    example = {"fn": _example, "inputs": None, "outputs": [c["box"]], "queue": False, **PRIVATE}
    runs = [
        c["box"].submit(**take).then(**answer),
        c["send"].click(**take).then(**answer),
        c["regen"].click(**retake).then(**answer),
        c["chatbot"].retry(**retake).then(**answer),
        c["chatbot"].example_select(**example).then(**_without(take, "trigger_mode")).then(**answer),
    ]
    for run in runs:
        run.then(**unlock)
    c["stop"].click(stopped, [c["chatbot"]], [c["chatbot"], *controls], cancels=runs, queue=False, **PRIVATE)
    c["pick"].change(_span_viewer(get_answerer), [c["pick"]], [p["doc"], p["tabs"]], queue=False, **PRIVATE)


def _without(d: dict, key: str) -> dict:
    return {k: v for k, v in d.items() if k != key}


def _responder(get_answerer, timeout: float):
    def respond(question: str, history: list) -> Iterator[tuple]:
        """The answer's updates as (chat, document panel, tabs); the user message is already shown,
        with the ``STARTING`` progress line after it."""
        if not question:
            yield gr.skip(), gr.skip(), gr.skip()
            return
        history = list(history or [])
        if history and history[-1].get("role") == "assistant":
            if _text(history[-1].get("content")) != STARTING["content"]:
                yield gr.skip(), gr.skip(), gr.skip()  # stopped before it began
                return
            history.pop()  # the STARTING line: replaced by the answer's own progress
        for message, panel in answer_updates(get_answerer, question, history[:-1], timeout):
            chat = [*history, {"role": "assistant", "content": message}]
            if panel is None:
                yield chat, gr.skip(), gr.skip()
            else:
                yield chat, panel, gr.Tabs(selected="cited")

    return respond


def _wire_documents(demo, p: dict, get_answerer, settings: Settings) -> None:
    listing = [p["table"], p["choose"]]
    demo.load(_doc_lister(get_answerer), None, listing, **PRIVATE)
    p["choose"].change(_doc_viewer(get_answerer), [p["choose"]], [p["viewer"]], queue=False, **PRIVATE)
    p["upload"].upload(_doc_adder(get_answerer, settings), [p["upload"]], [p["status"], *listing], **PRIVATE)


def _example(evt: gr.SelectData):
    """The example's text into the input box (then sent like a typed question)."""
    value = evt.value
    return value.get("text", "") if isinstance(value, dict) else gr.skip()


def _span_viewer(get_answerer):
    def show(value: str):
        a = get_answerer()
        try:
            d = json.loads(value or "")
            source, start, end = str(d["source"]), int(d["start"]), int(d["end"])
        except (ValueError, KeyError, TypeError):
            return gr.skip(), gr.skip()
        if a is None:
            return gr.skip(), gr.skip()
        return render_span(source, start, end, a.retriever.texts), gr.Tabs(selected="cited")

    return show


def _doc_lister(get_answerer):
    def listing():
        a = get_answerer()
        if a is None:
            return (
                '<p class="doc-empty">The documents will be listed once the models are loaded; reload the page.</p>',
                gr.skip(),
            )
        docs = library.list_documents(a.retriever)
        return library.render_table(docs), gr.Dropdown(choices=[(d.title, d.source) for d in docs])

    return listing


def _doc_viewer(get_answerer):
    def view(source: str | None) -> str:
        a = get_answerer()
        return library.render_text(source, a.retriever.texts if a else {})

    return view


def _doc_adder(get_answerer, settings: Settings):
    def add(files: list | None, progress=gr.Progress()):  # noqa: B008 (Gradio injects the tracker)
        a = get_answerer()
        if a is None:
            return "The models are still loading; add the documents in a moment.", gr.skip(), gr.skip()
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in files or []]
        try:
            added, problems = library.add_documents(settings, a.retriever, paths, lambda f, s: progress(f, desc=s))
        except QAError as exc:
            return f"Not added: {exc}", gr.skip(), gr.skip()
        lines = [f"Added and indexed: {', '.join(added)}." if added else "Nothing was added."]
        lines += [f"- skipped {p}" for p in problems]
        docs = library.list_documents(a.retriever)
        return "\n".join(lines), library.render_table(docs), gr.Dropdown(choices=[(d.title, d.source) for d in docs])

    return add
