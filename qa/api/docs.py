"""API docs that work offline: Swagger UI at /docs and ReDoc at /redoc load their JS, CSS and
favicon from this server (the files ship in the ``fastapi-offline`` package, MIT; Swagger UI is
Apache-2.0, ReDoc MIT), never from a CDN."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
REDOC_JS = "/docs-local/redoc.standalone.js"  # ReDoc with its one remote image (a logo) taken out
_REMOTE_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@lru_cache(maxsize=1)
def _redoc_js() -> str:
    """The shipped ReDoc bundle, minus the CDN logo its sidebar footer would fetch."""
    text = (files("fastapi_offline") / "static" / "redoc.standalone.js").read_text(encoding="utf-8")
    return text.replace(_REMOTE_LOGO, "")


def add_docs(app: FastAPI) -> None:
    """Serve the assets under ``/docs-assets`` and the two docs pages that use them."""
    app.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - API docs",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from an online validator
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_JS, include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(_redoc_js(), media_type="application/javascript")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - API reference",
            redoc_js_url=REDOC_JS,
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
