"""The Gradio chat window: checked answers streamed with progress, numbered references, cited spans
highlighted in context and shown in a document panel, the indexed documents, and uploads.

Modules: ``render`` (HTML), ``chat`` (one question's stream of updates), ``layout`` (the page and
its events), ``library`` (document list and uploads), ``auth`` (the API key for every route),
``page`` (CSS and the page script). ``mount_ui`` is the one place the chat is mounted.
"""

from __future__ import annotations

from collections.abc import Callable

from qa.answer import Answerer
from qa.settings import Settings
from qa.ui.render import _history, render_answer, render_document, render_span, render_stage, snippet

AUTH_MESSAGE = "This server needs its API key: log in with any user name and the key (QA_API_KEY) as password."


def theme():
    """Default theme with system fonts only: the page makes no calls outside the server."""
    import gradio as gr

    return gr.themes.Default(
        font=[gr.themes.Font("system-ui"), gr.themes.Font("sans-serif")],
        font_mono=[gr.themes.Font("ui-monospace"), gr.themes.Font("monospace")],
    )


def build_ui(get_answerer: Callable[[], Answerer | None], settings: Settings):
    """The page as a ``gr.Blocks``, not mounted."""
    from qa.ui.layout import build_ui as build

    return build(get_answerer, settings)


def mount_ui(app, get_answerer: Callable[[], Answerer | None], settings: Settings):
    """Mount the chat at ``/`` of the FastAPI ``app``; returns the app to serve.

    With ``settings.api_key`` set, every Gradio route needs the key (see ``qa.ui.auth``); uploads
    are limited to ``settings.max_upload_mb`` either way.
    """
    import gradio as gr

    from qa.ui.auth import KeyGuard, login_check
    from qa.ui.page import CSS, SCRIPT

    key = settings.api_key
    app = gr.mount_gradio_app(
        app, build_ui(get_answerer, settings), path="/", ssr_mode=False, theme=theme(), css=CSS, head=SCRIPT,
        footer_links=[], run_history=False, max_file_size=settings.max_upload_mb * 1024 * 1024,
        auth=login_check(key) if key else None, auth_message=AUTH_MESSAGE if key else None,
    )  # fmt: skip
    if key:
        gradio_app = gradio_mount(app).app
        gradio_app.add_middleware(KeyGuard, key=key, gradio_app=gradio_app)
    return app


def gradio_mount(app):
    """The ``Mount`` route that holds the Gradio app inside ``app``."""
    from gradio.routes import App
    from starlette.routing import Mount

    return next(r for r in reversed(app.routes) if isinstance(r, Mount) and isinstance(r.app, App))


__all__ = ["build_ui", "mount_ui", "render_answer", "render_document", "render_span", "render_stage", "snippet",
           "_history", "theme", "gradio_mount"]  # fmt: skip
