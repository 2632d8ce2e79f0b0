"""``qa bench --scale N``: how indexing and retrieval grow with the corpus.

Builds (once, then reuses, under ``CACHE/scale/``) a corpus of about N chunks from real text that
ships with this machine (the eval documents, /usr/share/common-licenses, /usr/share/doc READMEs,
the Python standard library's docstrings), its paragraphs repeated and reshuffled per document;
indexes it from scratch; then reports index throughput, index size on disk, open and refresh
time, resident memory, the first (cold) question's retrieval and retrieval (retrieve + evidence)
p50/p95 over the next ones.
"""

from __future__ import annotations

import ast
import gzip
import json
import logging
import random
import re
import shutil
import statistics
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

from qa.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

MIN_PARAGRAPH = 80  # characters: shorter blocks are headings, list items and code, not prose
DOC_PARAGRAPHS = 24  # paragraphs per generated document
ROOT_DOCS = PROJECT_ROOT / "evals" / "docs"
CORPUS_FORMAT = 2  # bump when the corpus recipe changes: older corpora under CACHE/scale/ are not reused


# ---- the corpus -----------------------------------------------------------------------------
def _paragraphs(text: str) -> Iterator[str]:
    for block in re.split(r"\n\s*\n", text):
        para = " ".join(block.split())
        printable = para.isprintable()  # no NUL or control characters: the indexer skips such files
        if printable and len(para) >= MIN_PARAGRAPH and sum(c.isalpha() for c in para) > 0.6 * len(para):
            yield para


def _read(path: Path) -> str:
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
        return ""


def _docstrings(path: Path) -> str:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return ""
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef)))]
    return "\n\n".join(d for n in nodes if (d := ast.get_docstring(n)))


def source_texts() -> Iterator[str]:
    """Real English text available offline, most prose-like first."""
    for path in sorted(ROOT_DOCS.glob("*")):
        yield _read(path)
    lic = Path("/usr/share/common-licenses")
    for path in sorted(lic.iterdir()) if lic.is_dir() else []:
        yield _read(path) if path.is_file() else ""
    for path in sorted(Path("/usr/share/doc").glob("**/README*")):
        yield _read(path) if path.is_file() else ""
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("**/*.py")):
        yield _docstrings(path)


def paragraph_pool(chars: int, texts: Iterator[str] | None = None) -> list[str]:
    """Distinct paragraphs from ``texts`` (default ``source_texts()``), about ``chars`` in all."""
    seen: dict[str, None] = {}
    total = 0
    for text in texts if texts is not None else source_texts():
        for para in _paragraphs(text):
            if para not in seen:
                seen[para] = None
                total += len(para)
        if total >= chars:
            break
    return list(seen)


def build_corpus(folder: Path, n_chunks: int, chunk_size: int, overlap: int, pool: list[str] | None = None) -> dict:
    """Write ``.txt`` documents to ``folder`` until they hold ``n_chunks`` chunks (reused if there).

    Returns the manifest: chunks, documents, characters, build seconds.
    """
    from qa.chunking import chunk_document
    from qa.documents import Document

    manifest = folder / "manifest.json"
    if manifest.is_file():
        return json.loads(manifest.read_text())
    t = time.perf_counter()
    pool = pool or paragraph_pool(n_chunks * (chunk_size - overlap))
    if not pool:
        raise ValueError("no text found to build a corpus from")
    if folder.exists():
        shutil.rmtree(folder)
    docs_dir = folder / "docs"
    docs_dir.mkdir(parents=True)
    rng = random.Random(n_chunks)
    chunks = chars = k = 0
    while chunks < n_chunks:
        paras = [pool[(k * DOC_PARAGRAPHS + i) % len(pool)] for i in range(DOC_PARAGRAPHS)]
        rng.shuffle(paras)  # repeats of the pool come back in another order, under another title
        text = f"Document {k + 1}: {paras[0][:60]}\n\n" + "\n\n".join(paras) + "\n"
        got = chunk_document(Document(f"d{k}", text), chunk_size, overlap)
        if chunks + len(got) > n_chunks:  # the last document stops at the chunk that makes N
            text = text[: got[n_chunks - chunks - 1].end]
            got = chunk_document(Document(f"d{k}", text), chunk_size, overlap)
        (docs_dir / f"doc{k:06d}.txt").write_text(text, encoding="utf-8")
        chunks, chars, k = chunks + len(got), chars + len(text), k + 1
    info = {"chunks": chunks, "documents": k, "chars": chars, "build_s": round(time.perf_counter() - t, 2)}
    manifest.write_text(json.dumps(info))
    return info


# ---- measuring ------------------------------------------------------------------------------
def rss_mb() -> tuple[float, float]:
    """Resident memory now and at its peak, in MB (psutil if installed, else /proc/self/status)."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20, float("nan")
    except ImportError:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20 if path.exists() else 0.0


def scale_questions(n: int = 20) -> list[str]:
    """Questions from the eval sets (the docs set asks about the license texts in the corpus)."""
    out = []
    for name in ("docs_qa.jsonl", "seed_qa.jsonl"):
        for line in (PROJECT_ROOT / "evals" / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                obj = json.loads(line)
                if not obj.get("history"):
                    out.append(obj["question"])
    return out[:n]


def measure(
    settings: Settings,
    n_chunks: int,
    embedder=None,
    pool: list[str] | None = None,
    answers: int = 0,
    answer_embedder=None,
) -> dict:
    """Build or reuse the corpus, index it from scratch with ``embedder`` (default: the indexer's own,
    ``index_threads``), open it, time retrieval and, with ``answers``, that many answers by the
    configured model (start to ready included; ``answer_embedder``, default ``embedder``: the
    server's, one thread beside the model); the report."""
    from qa.embed import cores, load_embedder
    from qa.pipeline import index_documents

    base = settings.cache_path / "scale" / f"v{CORPUS_FORMAT}-{n_chunks}-{settings.chunk_size}-{settings.chunk_overlap}"
    out: dict = {"n_chunks_asked": n_chunks}
    corpus = build_corpus(base / "corpus", n_chunks, settings.chunk_size, settings.chunk_overlap, pool)
    out |= {"chunks": corpus["chunks"], "documents": corpus["documents"], "corpus_mb": corpus["chars"] / 2**20}
    embedder = embedder or load_embedder(
        settings.embedder, settings.cache_path, settings.embed_backend, threads=cores(settings.index_threads)
    )
    s = settings.model_copy(update={"root": base / "corpus", "index_dir": base / "index", "collection": "scale"})
    t = time.perf_counter()
    report, _ = index_documents(s, [base / "corpus" / "docs"], embedder=embedder, rebuild=True)
    out["index_s"] = time.perf_counter() - t
    out["index_chunks_per_s"] = report.added / out["index_s"]
    out["index_mb"] = None if s.chroma_url else du_mb(s.index_path)
    out |= open_and_query(s, embedder)
    return out | (answer_times(s, answer_embedder or embedder, answers) if answers else {})


def answer_times(s: Settings, embedder, n: int) -> dict:
    """Start an answerer on the index of ``s`` (model loaded, prompt cache warmed: "ready"), then
    answer ``n`` scale questions; p50/p95 of the answers after the first and of their first token."""
    from qa.pipeline import build_answerer

    _forget_clients()
    t = time.perf_counter()
    answerer = build_answerer(s, embedder=embedder)
    answerer.warm_up()
    out: dict = {"ready_s": time.perf_counter() - t, "answer_model": answerer.model_name}
    total, first, refused = [], [], 0
    for q in scale_questions(n + 1):
        a = answerer.answer(q)
        total.append(a.timings_ms.get("total_ms", 0.0))
        first.append(a.timings_ms.get("first_token_ms", a.timings_ms.get("total_ms", 0.0)))
        refused += a.refused
    total, first = total[1:], first[1:]  # the first answer warms the model's threads and caches
    if answerer.backend is not None:
        answerer.backend.close()
    return out | {
        "answers": len(total),
        "answers_refused": refused,
        "answer_p50_ms": statistics.median(total),
        "answer_p95_ms": sorted(total)[min(len(total) - 1, int(0.95 * len(total)))],
        "answer_first_token_p50_ms": statistics.median(first),
    }


def open_and_query(s: Settings, embedder) -> dict:
    """Open the index of ``s`` as a fresh process would, load it, and time retrieval."""
    from qa.index import open_index
    from qa.retrieve import Retriever

    out: dict = {}
    _forget_clients()
    before, _ = rss_mb()
    t = time.perf_counter()
    index = open_index(s, embedder)
    out["open_s"] = time.perf_counter() - t
    t = time.perf_counter()
    retriever = Retriever(index, embedder, s.retriever, s.top_k, s.dense_weight)
    out["refresh_s"] = time.perf_counter() - t
    out["rss_mb"], out["rss_peak_mb"] = rss_mb()
    out["rss_retriever_mb"] = out["rss_mb"] - before
    lat = []
    for q in scale_questions():
        t = time.perf_counter()
        retriever.evidence(q, retriever.retrieve(q), s.evidence_k)
        lat.append((time.perf_counter() - t) * 1000)
    out["first_query_ms"] = lat.pop(0)  # cold: Chroma reads its vector index in on the first query
    out["retrieval_p50_ms"] = statistics.median(lat)
    out["retrieval_p95_ms"] = sorted(lat)[min(len(lat) - 1, int(0.95 * len(lat)))]
    return out


def _forget_clients() -> None:
    """Drop Chroma's per-folder client cache, so opening is timed as a fresh process would."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def embed_tuning(settings: Settings, texts: list[str]) -> dict[str, float]:
    """Chunks/s of the embedder on each backend with one thread and with one per core."""
    from qa.embed import cores, load_embedder

    out = {}
    for backend in ("onnx", "torch"):
        for n in sorted({1, cores(0)}):
            embedder = load_embedder(settings.embedder, settings.cache_path, backend, threads=n)
            t = time.perf_counter()
            embedder._encode(texts)  # the model itself, not the embedder's cache of known texts
            out[f"embed_{backend}_threads{n}_chunks_per_s"] = len(texts) / (time.perf_counter() - t)
    return out


def run_scale(
    settings: Settings, n_chunks: int, tune: bool = True, threads: int | None = None, answers: int = 0
) -> int:
    """Print the scale report; ``threads``: embedder threads for indexing (default ``index_threads``);
    ``answers``: that many answers by the configured model on the scaled index."""
    from qa.bench import print_table
    from qa.embed import cores, load_embedder

    if n_chunks < 1:
        raise SystemExit(f"--scale {n_chunks}: give a number of chunks, at least 1")
    n = cores(settings.index_threads if threads is None else threads)
    embedder = load_embedder(settings.embedder, settings.cache_path, settings.embed_backend, threads=n)
    server = load_embedder(settings.embedder, settings.cache_path, settings.embed_backend) if answers else None
    out = {"embed_backend": settings.embed_backend, "embed_threads": n}
    out |= measure(settings, n_chunks, embedder, answers=answers, answer_embedder=server)
    if tune:
        pool = paragraph_pool(256 * settings.chunk_size)[:256]
        out |= embed_tuning(settings, [p[: settings.chunk_size] for p in pool])
    print_table(out)
    return 0
