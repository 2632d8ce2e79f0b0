"""The HTTP server: JSON API under /api, OpenAI-compatible /v1, Gradio chat at /, docs at /docs.

``create_app`` only assembles; the routes live in ``qa.api.routes``, the wire models in
``qa.api.wire``, request dependencies in ``qa.api.deps``, error handlers in ``qa.api.errors``.
"""

from qa.api.app import create_app, load_answerer, serve

__all__ = ["create_app", "load_answerer", "serve"]
