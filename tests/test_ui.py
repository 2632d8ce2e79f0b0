import json
import re
import time
from types import SimpleNamespace

import pytest

from qa.answer import Answer
from qa.cite import Citation
from qa.errors import LLMUnavailable
from qa.events import Stage
from qa.ui import _history, render_answer, render_document, render_span
from qa.ui.chat import answer_updates
from tests.conftest import IDLE_SENTENCE, SEED, FakeChat

SOURCE = "seeds/" + SEED.name
TEXT = SEED.read_text(encoding="utf-8")
IDLE_Q = "How many anchor projects are idle?"


def _answer(refused=False):
    i = TEXT.index(IDLE_SENTENCE)
    cites = () if refused else (Citation(SOURCE, i, i + len(IDLE_SENTENCE), IDLE_SENTENCE),)
    text = "The documents do not say." if refused else "Three projects stand idle. [1]"
    return Answer(IDLE_Q, text, refused, cites, "m")


def _numbered(messages, sentence):
    line = next(line for line in messages[0]["content"].splitlines() if line.endswith(sentence))
    return int(line.split("]")[0].lstrip("["))


# ---- rendering -------------------------------------------------------------------------------
def test_answer_shows_numbered_reference_and_highlighted_span_in_context():
    html = render_answer(_answer(), {SOURCE: TEXT}, mid="ab12")
    assert '<a href="#cite-ab12-1" class="ref"' in html and 'id="cite-ab12-1"' in html
    assert f'<mark class="cite">{IDLE_SENTENCE}</mark>' in html
    assert "29 out of 41" in html  # surrounding text is shown
    i = TEXT.index(IDLE_SENTENCE)
    assert f"{SOURCE} · characters {i}–{i + len(IDLE_SENTENCE)}" in html  # the line the page script parses


def test_citation_anchors_are_unique_per_message():
    first, second = (render_answer(_answer(), {SOURCE: TEXT}) for _ in range(2))
    ids = [set(re.findall(r'id="(cite-[^"]+)"', h)) for h in (first, second)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    for h, own in zip((first, second), ids, strict=True):
        assert {href[1:] for href in re.findall(r'href="(#cite-[^"]+)"', h)} == own  # [1] jumps within its message


def test_refusal_is_shown_plainly_with_its_reason():
    html = render_answer(_answer(refused=True), {SOURCE: TEXT})
    assert "Not in the documents" in html and "<mark" not in html
    why = SimpleNamespace(refused=True, text="The documents do not say.", refusal_reason="no document mentions GDP")
    assert "No document mentions GDP" in render_answer(why, {})


def test_document_panel_marks_every_cited_span_and_a_clicked_one():
    html = render_document(_answer(), {SOURCE: TEXT})
    assert html.count('<mark class="cite"') == 1 and IDLE_SENTENCE in html
    assert "Cited passages" in render_document(None, {})
    i = TEXT.index("29 out of 41")
    clicked = render_span(SOURCE, i, i + 12, {SOURCE: TEXT})
    assert re.search(r'<mark class="cite"[^>]*>29 out of 41</mark>', clicked)
    assert "no longer in the index" in render_span(SOURCE, 5, 10**6, {SOURCE: TEXT})
    assert "no longer in the index" in render_span("other.txt", 0, 3, {SOURCE: TEXT})


def test_history_from_gradio_keeps_answer_line_only_and_drops_errors():
    hist = [
        {"role": "user", "content": IDLE_Q},
        {"role": "assistant", "content": render_answer(_answer(), {SOURCE: TEXT})},
        {"role": "user", "content": "broken?"},
        {"role": "assistant", "content": '<span class="error">Could not answer:</span> model down.'},
        {"role": "user", "content": [{"type": "text", "text": "and more?"}]},
    ]
    out = _history(hist)
    assert out[1] == {"role": "assistant", "content": "Three projects stand idle. [1]"}
    assert [m["content"] for m in out] == [IDLE_Q, "Three projects stand idle. [1]", "and more?"]


# ---- the stream of chat updates ---------------------------------------------------------------
def _updates(answerer, question, timeout=30.0):
    t0 = time.monotonic()
    return [
        (time.monotonic() - t0, msg, panel) for msg, panel in answer_updates(lambda: answerer, question, [], timeout)
    ]


def test_progress_first_then_checked_text_then_the_rendered_answer(make_answerer):
    chat = FakeChat(lambda m: f"Three projects stand idle. [{_numbered(m, IDLE_SENTENCE)}]")
    ups = _updates(make_answerer(chat), IDLE_Q)
    first_at, first, _ = ups[0]
    assert first_at < 0.3 and re.search(r'class="stage">Searching.*\(0\.0 s\)', first)
    assert any(re.search(r"Reading \d+ passages… \(\d+\.\d s\)", m) for _, m, _ in ups)
    partial = [m for _, m, _ in ups if m.startswith("<p>Three") and 'class="stage"' in m]
    assert partial  # checked text shown as it arrives, with the progress line
    final, panel = ups[-1][1], ups[-1][2]
    assert f'<mark class="cite">{IDLE_SENTENCE}</mark>' in final and IDLE_SENTENCE in panel


def test_an_unchecked_draft_is_never_shown(make_answerer):
    ups = _updates(make_answerer(FakeChat("There are 17 idle projects. [11]")), IDLE_Q)
    assert all("17 idle" not in m for _, m, _ in ups)  # the draft failed its checks
    gdp = _updates(
        make_answerer(FakeChat("The GDP of Kazakhstan is 18.5 trillion tenge. [1]")), "What is the GDP of Kazakhstan?"
    )
    assert all("18.5" not in m and "GDP of Kazakhstan is" not in m for _, m, _ in gdp)
    assert "Not in the documents" in gdp[-1][1]


def test_errors_are_shown_in_the_chat_with_a_retry(make_answerer):
    down = _updates(make_answerer(FakeChat(LLMUnavailable("model server at :9 refused the connection"))), IDLE_Q)
    assert "Could not answer" in down[-1][1] and "refused the connection" in down[-1][1] and "Regenerate" in down[-1][1]
    crash = _updates(make_answerer(FakeChat(RuntimeError("boom"))), IDLE_Q)
    assert "server hit an error (RuntimeError)" in crash[-1][1]

    class Stuck:
        def stream(self, question, history):
            time.sleep(3)
            yield from ()

    slow = _updates(Stuck(), IDLE_Q, timeout=0.6)
    assert "no answer after 1 s" in slow[-1][1] and len(slow) >= 2  # progress ticked while waiting
    assert "still loading" in [m for m, _ in answer_updates(lambda: None, IDLE_Q, [], 5)][-1]


def test_empty_input_adds_no_message_and_regenerate_and_stop_edit_the_chat():
    import gradio as gr

    from qa.ui.layout import retake_question, stopped, take_question

    hist = [{"role": "user", "content": IDLE_Q}, {"role": "assistant", "content": "<p>Three.</p>"}]
    for empty in ("", "   \n"):
        assert take_question(empty, hist) == (gr.skip(), gr.skip(), "", gr.skip(), gr.skip())
    box, new, pending, send, _ = take_question("  and more? ", hist)
    assert (box["value"], pending, new[-2]) == ("", "and more?", {"role": "user", "content": "and more?"})
    assert "Searching" in new[-1]["content"]  # progress shown at once, before the queue answers
    assert box["interactive"] is False and send["interactive"] is False  # no second question meanwhile
    again, q, *_ = retake_question(hist)
    assert again[:-1] == hist[:1] and q == IDLE_Q and "Searching" in again[-1]["content"]
    running = [*hist[:1], {"role": "assistant", "content": '<span class="stage">Writing… (2.0 s)</span>'}]
    chat, box, *_ = stopped(running)
    assert "Stopped" in chat[-1]["content"] and box["interactive"] is True and stopped(hist)[0] == hist


def test_an_answer_stopped_before_it_began_does_not_start(make_answerer):
    import gradio as gr

    from qa.ui.layout import STARTING, _responder

    chat = FakeChat(lambda m: f"Three projects stand idle. [{_numbered(m, IDLE_SENTENCE)}]")
    a = make_answerer(chat)
    respond = _responder(lambda: a, 30.0)
    stopped_first = [
        {"role": "user", "content": IDLE_Q},
        {"role": "assistant", "content": '<span class="stopped">Stopped.</span>'},
    ]
    assert list(respond(IDLE_Q, stopped_first)) == [(gr.skip(), gr.skip(), gr.skip())] and chat.seen == []
    updates = list(respond(IDLE_Q, [{"role": "user", "content": IDLE_Q}, STARTING]))
    final_chat = updates[-1][0]
    assert len(final_chat) == 2 and IDLE_SENTENCE in final_chat[-1]["content"]  # STARTING replaced, not kept


# ---- documents panel and uploads --------------------------------------------------------------
def test_uploaded_documents_are_indexed_next_to_the_others(make_answerer, indexed, tmp_path):
    from qa.ui.library import add_documents, list_documents

    a, settings = make_answerer(), indexed
    (tmp_path / "up").mkdir()
    note = tmp_path / "up" / "notes.md"
    note.write_text("Harbour report\n\nThe harbour crane lifts 40 tonnes. It was repaired in May.", encoding="utf-8")
    bad = tmp_path / "up" / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 \x00\x01")
    steps = []
    added, problems = add_documents(settings, a.retriever, [note, bad], lambda f, s: steps.append((f, s)))
    assert added == ["seeds/notes.md"] and len(problems) == 1 and "scan.pdf" in problems[0]
    binary = tmp_path / "up" / "ls.txt"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\xff\xfe")
    _, problems = add_documents(settings, a.retriever, [binary])
    assert problems == ["ls.txt: looks binary (NUL bytes); only .txt and .md text is indexed"]  # no server path
    assert steps[-1] == (1.0, "done") and any("indexing" in s for _, s in steps)
    docs = {d.source: d for d in list_documents(a.retriever)}
    assert set(docs) == {SOURCE, "seeds/notes.md"}  # the seed is kept
    assert not docs[SOURCE].title.startswith("date")  # its leading date line is metadata, not its title
    assert docs["seeds/notes.md"].title == "Harbour report" and docs["seeds/notes.md"].chunks >= 1
    assert "40 tonnes" in a.answer("How much does the harbour crane lift?").text
    assert (settings.default_docs / "notes.md").exists()


def test_an_upload_never_drops_the_other_documents(make_answerer, indexed, tmp_path):
    from qa.errors import DocumentError
    from qa.ui.library import add_documents, list_documents

    a = make_answerer()
    note = tmp_path / "n.txt"
    note.write_text("A note about harbour cranes.", encoding="utf-8")
    other_chunking = indexed.model_copy(update={"chunk_size": 300})  # would re-index (and drop) everything
    with pytest.raises(DocumentError, match="qa index"):
        add_documents(other_chunking, a.retriever, [note])
    assert [d.source for d in list_documents(a.retriever)] == [SOURCE]
    assert not (indexed.default_docs / "n.txt").exists()


# ---- one door: the API key guards every Gradio route ----------------------------------------------
KEY = "s3cret-key"
PUBLIC_PATHS = {"/", "/login", "/login/", "/logout", "/theme.css", "/robots.txt", "/favicon.ico", "/manifest.json",
                "/gradio_api/login_check", "/gradio_api/login_check/"}  # fmt: skip
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/pwa_icon")


@pytest.fixture
def keyed(make_answerer, indexed):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from qa.ui import gradio_mount, mount_ui

    settings = indexed.model_copy(update={"api_key": KEY, "max_upload_mb": 1})
    answerer = make_answerer()
    app = mount_ui(FastAPI(), lambda: answerer, settings)
    with TestClient(app) as client:
        yield client, gradio_mount(app).app, app


def _gradio_routes(gradio_app):
    """(method, concrete path) for every route of the mounted Gradio app, included routers too."""
    from starlette.routing import Mount

    def walk(routes, prefix=""):
        for r in routes:
            if hasattr(r, "original_router"):  # FastAPI's included router
                yield from walk(r.original_router.routes, prefix + r.include_context.prefix)
            elif isinstance(r, Mount):
                yield from walk(r.routes, prefix + r.path)
            else:
                path = re.sub(r"\{[^}]+\}", "x", prefix + r.path)
                for method in sorted(getattr(r, "methods", None) or {"GET"}):
                    yield method, path

    return sorted(set(walk(gradio_app.routes)))


def _fn_index(gradio_app, name):
    return next(i for i, f in gradio_app.get_blocks().fns.items() if getattr(f.fn, "__name__", "") == name)


def test_every_gradio_route_needs_the_key(keyed):
    client, gradio_app, app = keyed
    parent = {getattr(r, "path", None) for r in app.routes}  # e.g. /openapi.json: the API's own, not Gradio's
    routes = [(m, p) for m, p in _gradio_routes(gradio_app) if p not in parent]
    assert (
        len(routes) > 40 and ("POST", "/gradio_api/queue/join") in routes and ("POST", "/gradio_api/upload") in routes
    )
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}):
            r = client.request(method, path, headers=headers, follow_redirects=False)
            assert IDLE_SENTENCE not in r.text and "qa-chat" not in r.text, (method, path)
            if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
                continue
            assert r.status_code == 401, (method, path, r.status_code)
    page = client.get("/").text
    assert '"auth_required":true' in page.replace(" ", "") and "QA_API_KEY" in page  # the login page


def test_with_the_key_the_chat_reads_documents(keyed):
    client, gradio_app, _ = keyed
    i = TEXT.index(IDLE_SENTENCE)
    span = json.dumps({"source": SOURCE, "start": i, "end": i + len(IDLE_SENTENCE)})
    call = {"data": [span], "fn_index": _fn_index(gradio_app, "show"), "session_hash": "t1", "event_data": None}
    assert client.post("/gradio_api/run/predict", json=call).status_code == 401
    assert client.post("/gradio_api/queue/join", json=call).status_code == 401
    for headers in ({"Authorization": f"Bearer {KEY}"}, {"X-API-Key": KEY}):
        assert client.get("/config", headers=headers).status_code == 200
        r = client.post("/gradio_api/run/predict", json=call, headers=headers)
        assert r.status_code == 200 and IDLE_SENTENCE in r.text
    assert client.post("/login", data={"username": "anyone", "password": "wrong"}).status_code == 400
    assert client.post("/login", data={"username": "anyone", "password": KEY}).status_code == 200
    assert client.get("/config").status_code == 200  # the browser's session cookie
    assert IDLE_SENTENCE in client.post("/gradio_api/run/predict", json=call).text


def test_uploads_need_the_key_and_are_size_limited(keyed):
    client, _, _ = keyed
    small = {"files": ("a.txt", b"Short text.", "text/plain")}
    big = {"files": ("b.txt", b"x" * (1024 * 1024 + 10), "text/plain")}
    assert client.post("/gradio_api/upload", files=small).status_code == 401
    auth = {"Authorization": f"Bearer {KEY}"}
    assert client.post("/gradio_api/upload", files=small, headers=auth).status_code == 200
    assert client.post("/gradio_api/upload", files=big, headers=auth).status_code == 413


def test_without_a_key_the_page_is_open(make_answerer, indexed):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from qa.ui import mount_ui

    answerer = make_answerer()
    with TestClient(mount_ui(FastAPI(), lambda: answerer, indexed)) as client:
        config = client.get("/config").json()
        assert not config.get("auth_required") and "qa-chat" in json.dumps(config)
        assert config["footer_links"] == []  # our own footer links to /docs instead
        assert 'href=\\"/docs\\"' in json.dumps(config)  # the footer's "Use via API"


def test_stage_render():
    from qa.ui import render_stage

    assert render_stage(Stage("writing", "writing", 0.0), 2.34) == '<span class="stage">Writing… (2.3 s)</span>'
