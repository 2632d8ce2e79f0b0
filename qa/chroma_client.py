"""Chroma clients: a local folder or a server (``chroma run``), and dropping a whole index."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from qa.errors import IndexCorrupt, IndexMissing

log = logging.getLogger(__name__)


def connect(path: Path | None = None, url: str | None = None):
    """A Chroma client: an HTTP server when ``url`` is given, else a persistent folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    cfg = ChromaSettings(anonymized_telemetry=False)
    if url:
        from urllib.parse import urlparse

        u = urlparse(url)
        try:
            return chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or 8000, ssl=u.scheme == "https", settings=cfg
            )
        except Exception as exc:
            raise IndexMissing(f"cannot reach the Chroma server at {url} ({exc}); start it with `chroma run`") from exc
    assert path is not None
    _check_folder(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=cfg)
    except Exception as exc:
        raise IndexCorrupt(f"index at {path} cannot be opened ({exc}); run `qa index --rebuild`") from exc


def _check_folder(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise IndexMissing(f"the index folder {path} is a file: point --index-dir (QA_INDEX_DIR) at a folder")


def drop_index(settings) -> None:
    """Delete the whole index (a damaged one included) so the next sync builds it anew."""
    if settings.chroma_url:
        client = connect(url=settings.chroma_url)
        for col in client.list_collections():
            name = getattr(col, "name", str(col))
            if name.startswith(settings.collection + "_"):
                client.delete_collection(name)
    elif settings.index_path.exists():
        _check_folder(settings.index_path)
        from chromadb.api.client import SharedSystemClient

        log.info("deleting %s", settings.index_path)
        SharedSystemClient.clear_system_cache()  # Chroma keeps one client per folder in-process
        shutil.rmtree(settings.index_path)
