#!/usr/bin/env python3
"""Validate evals/seed_qa.jsonl (stdlib only; does not import the product).

Checks: valid JSON, unique ids, every evidence quote verbatim in its source, unanswerable items
without ``must``/``evidence``, a ``split`` of dev or test. Exits 1 and lists the problems.

    python3 evals/check_seed_set.py
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def problems(path: pathlib.Path = ROOT / "evals" / "seed_qa.jsonl") -> tuple[int, list[str]]:
    """(number of items, problems found)."""
    ids: set[str] = set()
    found = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        d = json.loads(line)
        if d["id"] in ids:
            found.append(f"line {n}: duplicate id {d['id']}")
        ids.add(d["id"])
        text = (ROOT / d["source"]).read_text(encoding="utf-8")
        found += [f"{d['id']}: evidence not in source: {e!r}" for e in d["evidence"] if e not in text]
        if d["answerable"] is False and (d["must"] or d["evidence"]):
            found.append(f"{d['id']}: unanswerable with must/evidence")
        if d.get("split") not in ("dev", "test"):
            found.append(f"{d['id']}: bad split")
    return len(ids), found


if __name__ == "__main__":
    count, bad = problems()
    for msg in bad:
        print(msg)
    print(f"{count} items, {len(bad)} problems")
    sys.exit(1 if bad else 0)
