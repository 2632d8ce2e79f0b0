#!/usr/bin/env python3
"""How well the model's yes/no confirmation tells sentences that answer from ones that do not.

Pairs from the dev halves (follow-ups aside): each answerable item's gold sentence with its
question (should be confirmed), and each unanswerable item's best evidence sentence with its
question (should not). For each pair the model's P(yes) (``ChatBackend.yes_probability`` on
``confirm_messages``), then how many of each kind a threshold keeps. Run from the repository root:

    QA_INDEX_DIR=/tmp/idx .venv/bin/python evals/confirm_bench.py --corpus seed,docs,heldout --out /tmp/cb.json

Prints one line per threshold: gold sentences confirmed, unanswerable ones rejected. Takes about
3 s a pair on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import logging

from qa.answer.prompt import confirm_messages
from qa.evalcorpus import Models, select
from qa.settings import Settings

THRESHOLDS = (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)


def pairs_of(answerer, items: list[dict]) -> list[tuple[str, str, bool]]:
    """(question, sentence, answers) for the dev items that give one."""
    r, out = answerer.retriever, []
    for it in items:
        if it["answerable"] is True and it.get("evidence"):
            gold = it["evidence"][0]
            found = [s for s in r.sentences if gold[:40] in s.text or s.text in gold]
            if found:
                out.append((it["question"], found[0].text, True))
        elif it["answerable"] is False:
            g = answerer.gatherer.gather(answerer.planner.plan(it["question"]).parts[0])
            if g.evidence:
                out.append((it["question"], g.evidence[0].span.text, False))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="seed,docs,heldout", help="comma-separated corpora")
    ap.add_argument("--out", default=None, help="write every pair and its P(yes) here (JSON)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = Settings()
    models = Models(settings)
    rows = []
    try:
        for name in args.corpus.split(","):
            corpus = select(name, settings.root)[0]
            models.index(settings, corpus)
            a = models.answerer(settings, corpus)
            with open(corpus.items_path(settings.root), encoding="utf-8") as f:
                items = [json.loads(line) for line in f if line.strip()]
            dev = [it for it in items if it["split"] == "dev" and not it.get("history")]
            for q, sentence, answers in pairs_of(a, dev):
                rows.append((name, q, sentence, answers, a.backend.yes_probability(confirm_messages(q, [sentence]))))
    finally:
        models.close()
    pos, neg = sum(r[3] for r in rows), sum(not r[3] for r in rows)
    for th in THRESHOLDS:
        kept = sum(r[3] and r[4] >= th for r in rows)
        rejected = sum(not r[3] and r[4] < th for r in rows)
        print(f"P(yes) >= {th}: confirmed {kept}/{pos} gold sentences, rejected {rejected}/{neg} unanswerable")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(rows, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
