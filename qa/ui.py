"""The Gradio chat window: streamed answers, numbered references, cited spans highlighted in
their surrounding text, and the whole cited document with its spans marked.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterator

from qa.answer import Answer, Answerer
from qa.cite import Citation
from qa.errors import QAError
from qa.events import Stage
from qa.settings import Settings

log = logging.getLogger(__name__)

EXAMPLES = [
    "How many anchor projects are idle?",
    "How much do the comprehensive plans cost?",
    "Which towns show the weakest performance?",
    "What is the GDP of Kazakhstan?",
]
CONTEXT = 160  # characters shown on each side of a cited span in the chat
WINDOW = 700  # characters shown on each side of the cited spans in the document panel

THEME_CSS = """
mark.cite { background: #ffe066; color: #111; padding: 0 2px; border-radius: 3px; }
.cite-box { border-left: 3px solid #f0b400; padding: 4px 8px; margin: 6px 0; font-size: 0.92em; }
.cite-src { color: #666; font-size: 0.85em; }
.refusal { color: #8a4b00; font-weight: 600; }
.stage { color: #666; font-style: italic; }
.doc-view { white-space: pre-wrap; font-size: 0.9em; line-height: 1.45; max-height: 520px; overflow-y: auto; }
"""


def theme():
    """Default theme with system fonts only: the page makes no calls outside the server."""
    import gradio as gr

    return gr.themes.Default(
        font=[gr.themes.Font("system-ui"), gr.themes.Font("sans-serif")],
        font_mono=[gr.themes.Font("ui-monospace"), gr.themes.Font("monospace")],
    )


def snippet(text: str, c: Citation, width: int = CONTEXT) -> str:
    """HTML of the span with ``width`` characters of context on each side, the span marked.

    >>> snippet("aaa bbb ccc", Citation("s", 4, 7, "bbb"), width=2)
    '…a <mark class="cite">bbb</mark> c…'
    """
    lo, hi = max(0, c.start - width), min(len(text), c.end + width)
    before = ("…" if lo > 0 else "") + html.escape(_flat(text[lo : c.start]))
    after = html.escape(_flat(text[c.end : hi])) + ("…" if hi < len(text) else "")
    return f'{before}<mark class="cite">{html.escape(text[c.start : c.end])}</mark>{after}'


def _flat(text: str) -> str:
    """Runs of whitespace (paragraph breaks too) as one space, so a snippet reads as one line."""
    return re.sub(r"\s+", " ", text)


def render_answer(answer: Answer, texts: dict[str, str]) -> str:
    """The chat message: the answer with linked [n] markers, then each cited span in context."""
    if answer.refused:
        return f'<span class="refusal">Not in the documents.</span> {html.escape(answer.text)}'
    body = html.escape(answer.text)
    body = re.sub(r"\[(\d+)\]", r'<a href="#cite-\1" class="ref">[\1]</a>', body)
    boxes = []
    for i, c in enumerate(answer.citations, 1):
        boxes.append(
            f'<div class="cite-box" id="cite-{i}"><b>[{i}]</b> '
            f'<span class="cite-src">{html.escape(c.source)} · characters {c.start}–{c.end}</span><br>'
            f"{snippet(texts[c.source], c)}</div>"
        )
    return body + "\n\n" + "".join(boxes)


def render_document(answer: Answer | None, texts: dict[str, str]) -> str:
    """The first cited document around its cited spans (``WINDOW`` characters each side), marked."""
    if not answer or not answer.citations:
        return '<div class="doc-view">Cited passages will appear here.</div>'
    source = answer.citations[0].source
    text = texts[source]
    spans = sorted({(c.start, c.end) for c in answer.citations if c.source == source})
    lo, hi = max(0, spans[0][0] - WINDOW), min(len(text), spans[-1][1] + WINDOW)
    out, pos = ["…" if lo else ""], lo
    for start, end in spans:
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="cite">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:hi]) + ("…" if hi < len(text) else ""))
    return f'<div class="cite-src">{html.escape(source)}</div><div class="doc-view">{"".join(out)}</div>'


def render_stage(stage: Stage) -> str:
    """A progress line for the chat while the answer is found and checked.

    >>> render_stage(Stage("reading", "reading 4 passages", 1234.0))
    '<span class="stage">Reading 4 passages… (1.2 s)</span>'
    """
    detail = html.escape(stage.detail[:1].upper() + stage.detail[1:])
    return f'<span class="stage">{detail}… ({stage.elapsed_ms / 1000:.1f} s)</span>'


def _history(history: list) -> list[dict[str, str]]:
    """Gradio's history as plain {role, content}: text only, the answer line without rendered spans."""
    out = []
    for m in history or []:
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str):
            continue
        content = re.sub(r"<[^>]+>", "", content.split("\n\n")[0]).strip()
        out.append({"role": m["role"], "content": content})
    return out


def build_ui(get_answerer: Callable[[], Answerer | None], settings: Settings):
    import gradio as gr

    def respond(message: str, history: list) -> Iterator[tuple[str, str]]:
        answerer = get_answerer()
        if answerer is None:
            yield "The models are still loading; ask again in a moment.", render_document(None, {})
            return
        try:
            for item in answerer.stream(message, _history(history)):
                if isinstance(item, Answer):
                    texts = answerer.retriever.texts
                    yield render_answer(item, texts), render_document(item, texts)
                elif isinstance(item, Stage):  # progress only: the unchecked draft is never shown
                    yield render_stage(item), gr.skip()
        except QAError as exc:
            yield f'<span class="refusal">Error:</span> {html.escape(str(exc))}', gr.skip()

    with gr.Blocks(title="Document QA") as demo:
        gr.Markdown(
            "## Ask the documents\nAnswers come only from the indexed documents; each claim cites an exact, "
            "highlighted span. When the documents do not say, the answer says so."
        )
        with gr.Row():
            with gr.Column(scale=3):
                doc = gr.HTML(render_document(None, {}), render=False, label="Cited document")
                chatbot = gr.Chatbot(
                    height=520, sanitize_html=True, render_markdown=True, label="Chat", feedback_options=None
                )
                gr.ChatInterface(
                    respond,
                    chatbot=chatbot,
                    examples=EXAMPLES,
                    additional_outputs=[doc],
                    textbox=gr.Textbox(
                        placeholder="Ask a question about the documents",
                        max_length=settings.max_question_chars,
                        submit_btn=True,
                    ),
                    save_history=False,
                    flagging_mode="never",
                    analytics_enabled=False,
                    api_name=False,
                )
            with gr.Column(scale=2):
                gr.Markdown("### Cited document")
                doc.render()
    return demo


def mount_ui(app, get_answerer: Callable[[], Answerer | None], settings: Settings):
    """Mount the chat at ``/`` of the FastAPI ``app``; returns the app to serve."""
    import gradio as gr

    blocks = build_ui(get_answerer, settings)
    return gr.mount_gradio_app(
        app, blocks, path="/", ssr_mode=False, theme=theme(), css=THEME_CSS, footer_links=["api"]
    )
