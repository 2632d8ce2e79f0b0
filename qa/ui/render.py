"""HTML for the chat: answers with numbered references, cited spans highlighted in context, the
document panel, progress lines and errors. Pure functions of the pipeline's types.

Citation ids are unique per message (``cite-<message id>-<n>``) so [1] in a later answer never
jumps to the first answer's box. Gradio's sanitizer drops ``data-*`` attributes, so the page script
reads a citation's span from its box's source line, ``SOURCE · characters START–END``.
"""

from __future__ import annotations

import html
import re
import uuid

from qa.answer import Answer
from qa.cite import Citation
from qa.events import Stage

CONTEXT = 160  # characters shown on each side of a cited span in the chat
WINDOW = 700  # characters shown on each side of the cited spans in the document panel
EMPTY_PANEL = '<div class="doc-view">Cited passages will appear here. Click a [1] in an answer to see its span.</div>'


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


def source_line(c: Citation) -> str:
    """The line the page script parses to show a citation in the document panel.

    >>> source_line(Citation("seeds/a.txt", 3, 9, "x"))
    'seeds/a.txt · characters 3–9'
    """
    return f"{c.source} · characters {c.start}–{c.end}"


def new_message_id() -> str:
    """A short id, unique per answer, that keeps citation anchors apart between messages."""
    return uuid.uuid4().hex[:8]


def render_refusal(answer: Answer) -> str:
    """The refusal in plain words, with the reason when the answer carries one."""
    reason = getattr(answer, "refusal_reason", "") or ""
    why = f" {html.escape(reason[:1].upper() + reason[1:])}" if reason else ""
    return f'<span class="refusal">Not in the documents.</span> {html.escape(answer.text)}{why}'


def render_answer(answer: Answer, texts: dict[str, str], mid: str | None = None) -> str:
    """The chat message: the answer with linked [n] markers, then each cited span in context.

    >>> from qa.cite import Citation
    >>> a = Answer("q", "Two. [1]", False, (Citation("s", 0, 3, "Two"),), "m")
    >>> render_answer(a, {"s": "Two shops."}, mid="m1").split("\\n")[0]
    '<p>Two. <a href="#cite-m1-1" class="ref" title="s · characters 0–3">[1]</a></p>'
    """
    if answer.refused:
        return render_refusal(answer)
    mid = mid or new_message_id()
    cites = answer.citations

    def link(m: re.Match) -> str:
        i = int(m.group(1))
        if not 1 <= i <= len(cites):
            return m.group(0)
        return f'<a href="#cite-{mid}-{i}" class="ref" title="{html.escape(source_line(cites[i - 1]))}">[{i}]</a>'

    body = re.sub(r"\[(\d+)\]", link, html.escape(answer.text))
    boxes = []
    for i, c in enumerate(cites, 1):
        boxes.append(
            f'<div class="cite-box" id="cite-{mid}-{i}"><b>[{i}]</b> '
            f'<span class="cite-src">{html.escape(source_line(c))}</span><br>'
            f"{snippet(texts[c.source], c)}</div>"
        )
    return f"<p>{body}</p>\n\n" + "".join(boxes)


def render_document(answer: Answer | None, texts: dict[str, str]) -> str:
    """The first cited document around its cited spans (``WINDOW`` characters each side), marked."""
    if not answer or not answer.citations:
        return EMPTY_PANEL
    source = answer.citations[0].source
    spans = sorted({(c.start, c.end) for c in answer.citations if c.source == source})
    return _window(source, texts[source], spans)


def render_span(source: str, start: int, end: int, texts: dict[str, str]) -> str:
    """One span of one document, marked, with ``WINDOW`` characters around it (the panel after a
    click on a citation); a span that is not in the indexed documents gives a plain notice."""
    text = texts.get(source)
    if text is None or not 0 <= start < end <= len(text):
        return f'<div class="doc-view">{html.escape(source)} is no longer in the index.</div>'
    return _window(source, text, [(start, end)])


def _window(source: str, text: str, spans: list[tuple[int, int]]) -> str:
    lo, hi = max(0, spans[0][0] - WINDOW), min(len(text), spans[-1][1] + WINDOW)
    out, pos = ["…" if lo else ""], lo
    for start, end in spans:
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="cite" data-start="{start}" data-end="{end}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:hi]) + ("…" if hi < len(text) else ""))
    head = f"{html.escape(source)} · characters {spans[0][0]}–{spans[-1][1]}"
    return f'<div class="cite-src">{head}</div><div class="doc-view">{"".join(out)}</div>'


def render_stage(stage: Stage, elapsed_s: float | None = None) -> str:
    """A progress line for the chat while the answer is found and checked.

    >>> render_stage(Stage("reading", "reading 4 passages", 1234.0))
    '<span class="stage">Reading 4 passages… (1.2 s)</span>'
    """
    detail = html.escape(stage.detail[:1].upper() + stage.detail[1:])
    seconds = stage.elapsed_ms / 1000 if elapsed_s is None else elapsed_s
    return f'<span class="stage">{detail}… ({seconds:.1f} s)</span>'


def render_checked(text: str, stage_line: str) -> str:
    """Verified text as it arrives, with the progress line under it."""
    return f"<p>{html.escape(text)}</p>\n\n{stage_line}"


def render_error(message: str) -> str:
    """An error in the chat, with what to do next."""
    return f'<span class="error">Could not answer:</span> {html.escape(message)} Press Regenerate (or ↻ under the message) to try again.'


def is_error(content: str) -> bool:
    return content.startswith(('<span class="error">', '<span class="stage">', '<span class="stopped">'))


def _history(history: list) -> list[dict[str, str]]:
    """Gradio's history as plain {role, content}: text only, the answer line without rendered spans;
    errors, progress lines and stopped answers (with the question they answered) are left out."""
    out: list[dict[str, str]] = []
    for m in history or []:
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str):
            continue
        if m["role"] == "assistant" and is_error(content):
            if out and out[-1]["role"] == "user":
                out.pop()
            continue
        content = re.sub(r"<[^>]+>", "", content.split("\n\n")[0]).strip()
        out.append({"role": m["role"], "content": html.unescape(content)})
    return out
