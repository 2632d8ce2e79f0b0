"""``GET /api/sources`` (the indexed documents) and ``GET /api/sources/{id}`` (one's text)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from qa.api.deps import AnswererDep, require_key
from qa.api.wire import ErrorOut, SourceOut, SourceText

router = APIRouter(tags=["sources"], dependencies=[Depends(require_key)])
ERRORS = {401: {"model": ErrorOut}, 503: {"model": ErrorOut}}


def source_id(source: str) -> str:
    """A short stable id for a document.

    >>> source_id("seeds/a.txt")
    'cbaec429688a'
    """
    return hashlib.sha1(source.encode()).hexdigest()[:12]


def public_source(source: str) -> str:
    """The source as shown to clients: relative names as they are, an absolute path (a document
    indexed from outside the project root) cut to its last folder and file name.

    >>> public_source("/home/me/notes/plan.txt"), public_source("seeds/a.txt")
    ('notes/plan.txt', 'seeds/a.txt')
    """
    if not source.startswith("/") and ":" not in source[:3]:
        return source
    parts = source.replace("\\", "/").rstrip("/").split("/")
    return "/".join(parts[-2:])


@router.get("/api/sources", response_model=list[SourceOut], responses=ERRORS)
def sources(a: AnswererDep) -> list[dict]:
    """The indexed documents (re-read if the index changed)."""
    a.retriever.refresh()
    return [
        {"id": source_id(d.source), "source": public_source(d.source), "chars": len(d.text), "metadata": d.metadata}
        for d in a.retriever.docs.values()
    ]


@router.get(
    "/api/sources/{sid}",
    response_model=SourceText,
    responses={**ERRORS, 404: {"model": ErrorOut, "description": "no such document"}},
)
def source(
    sid: Annotated[str, Path(description="an id from GET /api/sources, or the source name", examples=["cbaec429688a"])],
    a: AnswererDep,
) -> dict:
    """One document's whole text; citation offsets index into it."""
    for d in a.retriever.docs.values():
        if sid in (source_id(d.source), d.source):
            return {
                "id": source_id(d.source),
                "source": public_source(d.source),
                "text": d.text,
                "metadata": d.metadata,
            }
    raise HTTPException(404, f"no indexed document with id {sid!r}: see GET /api/sources")
