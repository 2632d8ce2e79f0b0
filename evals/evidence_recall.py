#!/usr/bin/env python3
"""How often the gold sentence of an answerable item is among the chain's evidence (no model).

Retrieval alone, through the pipeline's own retriever: for each answerable item of a corpus's
split (follow-ups aside), is its first evidence quote in the best ``--top-k`` chunks, and among
the evidence sentences ranked from them? Run from the repository root:

    QA_INDEX_DIR=/tmp/idx .venv/bin/python evals/evidence_recall.py --corpus seed,docs,heldout --split dev

Prints one line per corpus: chunks hit and evidence hit, each out of the items counted.
"""

from __future__ import annotations

import argparse
import json
import logging

from qa.evalcorpus import Models, select
from qa.settings import Settings


def flat(text: str) -> str:
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="seed,docs,heldout", help="comma-separated corpora")
    ap.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    ap.add_argument("--top-k", type=int, default=None, help="chunks retrieved (default: QA_TOP_K)")
    ap.add_argument("--n", type=int, default=None, help="evidence sentences (default: QA_EVIDENCE_K)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(llm="extractive")
    k, n = args.top_k or settings.top_k, args.n or settings.evidence_k
    models = Models(settings)
    try:
        for name in args.corpus.split(","):
            corpus = select(name, settings.root)[0]
            models.index(settings, corpus)
            r = models.answerer(settings, corpus).retriever
            with open(corpus.items_path(settings.root), encoding="utf-8") as f:
                items = [json.loads(line) for line in f if line.strip()]
            items = [
                it
                for it in items
                if args.split in ("all", it["split"])
                and it["answerable"] is True
                and it.get("evidence")
                and not it.get("history")
            ]
            chunks = sentences = 0
            for it in items:
                needle = flat(it["evidence"][0])[:50]
                hits = r.retrieve(it["question"], k)
                chunks += any(needle in flat(h.chunk.text) for h in hits)
                ev = r.evidence(it["question"], hits, n)
                sentences += any(needle in flat(e.span.text) or flat(e.span.text) in needle for e in ev)
            print(
                f"{name}/{args.split}: top_k {k}, n {n}: chunks {chunks}/{len(items)}, evidence {sentences}/{len(items)}"
            )
    finally:
        models.close()


if __name__ == "__main__":
    main()
