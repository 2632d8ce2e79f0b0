from qa.answer import Answer
from qa.cite import Citation
from qa.ui import _history, render_answer, render_document
from tests.conftest import IDLE_SENTENCE, SEED

SOURCE = "seeds/" + SEED.name
TEXT = SEED.read_text(encoding="utf-8")


def _answer(refused=False):
    i = TEXT.index(IDLE_SENTENCE)
    cites = () if refused else (Citation(SOURCE, i, i + len(IDLE_SENTENCE), IDLE_SENTENCE),)
    text = "The documents do not say." if refused else "Three projects stand idle. [1]"
    return Answer("How many anchor projects are idle?", text, refused, cites, "m")


def test_answer_shows_numbered_reference_and_highlighted_span_in_context():
    html = render_answer(_answer(), {SOURCE: TEXT})
    assert '<a href="#cite-1" class="ref">[1]</a>' in html
    assert f'<mark class="cite">{IDLE_SENTENCE}</mark>' in html
    assert "29 out of 41" in html  # surrounding text is shown
    assert "characters 13" in html and SOURCE in html


def test_refusal_is_shown_plainly():
    html = render_answer(_answer(refused=True), {SOURCE: TEXT})
    assert "Not in the documents" in html and "<mark" not in html


def test_document_panel_marks_every_cited_span():
    html = render_document(_answer(), {SOURCE: TEXT})
    assert html.count('<mark class="cite">') == 1 and IDLE_SENTENCE in html
    assert "Cited passages" in render_document(None, {})


def test_history_from_gradio_keeps_answer_line_only():
    hist = [
        {"role": "user", "content": "How many anchor projects are idle?"},
        {"role": "assistant", "content": render_answer(_answer(), {SOURCE: TEXT})},
        {"role": "user", "content": [{"type": "text", "text": "and more?"}]},
    ]
    out = _history(hist)
    assert out[1] == {"role": "assistant", "content": "Three projects stand idle. [1]"}
    assert out[2]["content"] == "and more?"
