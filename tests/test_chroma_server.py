"""The same index code path against a Chroma server (`chroma run`) instead of a local folder."""

import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from qa.errors import QAError
from qa.index import ChunkIndex, open_index
from qa.pipeline import build_answerer, index_documents
from tests.conftest import IDLE_SENTENCE, free_port, wait_ready

CHROMA = shutil.which("chroma") or str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "chroma")


@pytest.fixture
def chroma_url(tmp_path):
    if not Path(CHROMA).exists():
        pytest.skip("chroma CLI not installed")
    port = free_port()
    proc = subprocess.Popen(
        [CHROMA, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "db")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, lambda: httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200, 30, "chroma run")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_index_and_answer_through_a_chroma_server(settings, embedder, chroma_url):
    s = settings.model_copy(update={"chroma_url": chroma_url})
    first, _ = index_documents(s, embedder=embedder)
    again, _ = index_documents(s, embedder=embedder)
    assert first.added > 0 and again.added == 0
    docs, chunks = open_index(s, embedder).load()
    assert len(docs) == 1 and len(chunks) == first.added
    ans = build_answerer(s, embedder=embedder, backend=None).answer("How many anchor projects are idle?")
    assert any(IDLE_SENTENCE in h.chunk.text for h in ans.hits)


def test_a_servers_lexical_engine_is_saved_locally_and_reused(settings, embedder, chroma_url, monkeypatch):
    """With a Chroma server the BM25 engine lives in the cache folder, per server, so a restart
    opens it instead of reading the whole corpus back from the server (24.7 s at 100,000 chunks)."""
    s = settings.model_copy(update={"chroma_url": chroma_url})
    index_documents(s, embedder=embedder)
    index = open_index(s, embedder)
    assert index.lexical_root is not None and index.lexical_root.is_relative_to(s.cache_path)
    assert (index.lexical_root / index.active()).is_dir()  # written by the indexer
    monkeypatch.setattr(ChunkIndex, "load", lambda self: pytest.fail("read the corpus back from the server"))
    assert open_index(s, embedder).lexical().n_chunks > 0
    other = s.model_copy(update={"chroma_url": chroma_url + "/"})
    assert open_index(other, embedder).lexical_root != index.lexical_root  # one folder per server URL


def test_unreachable_server_is_a_clear_error(settings, embedder):
    port = free_port()
    s = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{port}"})
    with pytest.raises(QAError, match="cannot reach the Chroma server"):
        index_documents(s, embedder=embedder)
