#!/usr/bin/env python3
"""Validate evals/docs_qa.jsonl against the documents in evals/docs/.

Stdlib only; does not import the product. Run from anywhere:

    python3 evals/check_docs_set.py
    python3 evals/check_docs_set.py --set evals/heldout_qa.jsonl --docs evals/heldout

`--set` and `--docs` (paths relative to the repository root, or absolute) pick
another question set and document folder; every `source` must then lie under
that folder. The per-kind minimums (and the unanswerable + false_premise floor)
apply only to the default set, evals/docs_qa.jsonl.

Exits non-zero (and lists the problems) if any item is malformed, any id is
duplicated, a kind is unknown, or an evidence quote is not an exact substring
of its source file (or of one of the files in its optional `sources` list).
"""

import argparse
import collections
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QA = os.path.join(ROOT, "evals", "docs_qa.jsonl")
DOCS = os.path.join(ROOT, "evals", "docs")

KINDS = {
    "fact",
    "number",
    "list",
    "paraphrase",
    "typo",
    "followup",
    "unanswerable",
    "offtopic",
    "false_premise",
    "title",
    "section",
    "definition",
    "comparison",
    "entity_unanswerable",
    "multipart",
}
SPLITS = {"dev", "test"}
REQUIRED = {
    "id": str,
    "kind": str,
    "split": str,
    "question": str,
    "reference": str,
    "answerable": (bool, str),
    "must": list,
    "evidence": list,
    "source": str,
}
OPTIONAL = {"must_not": list, "history": list, "sources": list}
MINIMUMS = {"title": 6, "section": 6, "definition": 6, "comparison": 6, "entity_unanswerable": 6}


def is_str_list(x):
    return isinstance(x, list) and all(isinstance(s, str) and s for s in x)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Validate a docs question set against its documents.")
    ap.add_argument("--set", dest="qa", default=QA, help="question set (.jsonl); default evals/docs_qa.jsonl")
    ap.add_argument("--docs", default=DOCS, help="document folder; default evals/docs")
    args = ap.parse_args(argv)
    qa_path = os.path.abspath(os.path.join(ROOT, args.qa))
    docs_dir = os.path.abspath(os.path.join(ROOT, args.docs))
    default_set = qa_path == os.path.abspath(QA) and docs_dir == os.path.abspath(DOCS)
    docs_rel = os.path.relpath(docs_dir, ROOT).replace(os.sep, "/") + "/"
    errors = []
    texts = {}

    def doc_text(rel):
        if rel not in texts:
            path = os.path.join(ROOT, rel)
            if not os.path.isfile(path):
                texts[rel] = None
            else:
                with open(path, encoding="utf-8") as f:
                    texts[rel] = f.read()
        return texts[rel]

    items = []
    with open(qa_path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                errors.append(f"line {ln}: blank line")
                continue
            try:
                items.append((ln, json.loads(line)))
            except json.JSONDecodeError as e:
                errors.append(f"line {ln}: bad JSON: {e}")

    ids = collections.Counter()
    by_kind = collections.Counter()
    by_kind_split = collections.Counter()
    by_split = collections.Counter()
    by_source = collections.Counter()

    for ln, it in items:
        tag = f"line {ln} ({it.get('id', '?')})"
        if not isinstance(it, dict):
            errors.append(f"{tag}: not an object")
            continue
        for key, typ in REQUIRED.items():
            if key not in it:
                errors.append(f"{tag}: missing field {key!r}")
            elif not isinstance(it[key], typ):
                errors.append(f"{tag}: field {key!r} has type {type(it[key]).__name__}")
        for key, typ in OPTIONAL.items():
            if key in it and not isinstance(it[key], typ):
                errors.append(f"{tag}: field {key!r} has type {type(it[key]).__name__}")
        unknown = set(it) - set(REQUIRED) - set(OPTIONAL)
        if unknown:
            errors.append(f"{tag}: unknown fields {sorted(unknown)}")
        if any(k not in it for k in REQUIRED):
            continue

        ids[it["id"]] += 1
        if it["kind"] not in KINDS:
            errors.append(f"{tag}: unknown kind {it['kind']!r}")
        if it["split"] not in SPLITS:
            errors.append(f"{tag}: unknown split {it['split']!r}")
        for key in ("question", "reference"):
            if not it[key].strip():
                errors.append(f"{tag}: empty {key}")

        ans = it["answerable"]
        if not (isinstance(ans, bool) or ans == "either"):
            errors.append(f'{tag}: answerable must be true, false or "either"')

        must = it["must"]
        if not all(is_str_list(g) for g in must) or any(not g for g in must):
            errors.append(f"{tag}: must must be a list of non-empty lists of non-empty strings")
        if "must_not" in it and not is_str_list(it["must_not"]):
            errors.append(f"{tag}: must_not must be a list of non-empty strings")
        ev = it["evidence"]
        if not is_str_list(ev) and ev != []:
            errors.append(f"{tag}: evidence must be a list of non-empty strings")

        if ans is False:
            if must or ev:
                errors.append(f"{tag}: unanswerable items must have empty must and evidence")
        else:
            if not must:
                errors.append(f"{tag}: answerable item without must groups")
            if not ev:
                errors.append(f"{tag}: answerable item without evidence")

        if "history" in it:
            h = it["history"]
            if not h or not all(
                isinstance(t, dict)
                and t.get("role") in ("user", "assistant")
                and isinstance(t.get("content"), str)
                and t["content"]
                and set(t) == {"role", "content"}
                for t in h
            ):
                errors.append(f"{tag}: history must be a list of {{role, content}} turns")

        srcs = [it["source"]] + list(it.get("sources", []))
        for s in srcs:
            if not isinstance(s, str) or not s.startswith(docs_rel):
                errors.append(f"{tag}: source {s!r} is not under {docs_rel}")
            elif doc_text(s) is None:
                errors.append(f"{tag}: source file {s!r} does not exist")
        if it["kind"] == "comparison" and not it.get("sources") and len(ev) < 2:
            errors.append(f"{tag}: comparison item needs evidence from two documents")
        for q in ev if isinstance(ev, list) else []:
            if not isinstance(q, str):
                continue
            if not any(doc_text(s) and q in doc_text(s) for s in srcs if isinstance(s, str)):
                errors.append(f"{tag}: evidence not found verbatim in {srcs}: {q!r}")
        if it["kind"] == "comparison" and it.get("sources"):
            for s in it["sources"]:
                if doc_text(s) and not any(q in doc_text(s) for q in ev):
                    errors.append(f"{tag}: no evidence quote comes from {s}")

        by_kind[it["kind"]] += 1
        by_split[it["split"]] += 1
        by_kind_split[(it["kind"], it["split"])] += 1
        by_source[it["source"]] += 1

    for i, n in ids.items():
        if n > 1:
            errors.append(f"duplicate id {i!r} ({n} times)")
    if default_set:
        for k, n in MINIMUMS.items():
            if by_kind[k] < n:
                errors.append(f"kind {k!r} has {n and by_kind[k]} items, want >= {n}")
        if by_kind["unanswerable"] + by_kind["false_premise"] < 10:
            errors.append("unanswerable + false_premise < 10")

    # documents
    total = 0
    print(f"documents ({docs_rel}):")
    for name in sorted(os.listdir(docs_dir)):
        path = os.path.join(docs_dir, name)
        if not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                n = len(f.read())
        except UnicodeDecodeError:
            errors.append(f"doc {name}: not UTF-8")
            continue
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*\.(txt|md)", name):
            errors.append(f"doc {name}: name must be lower-case .txt/.md without spaces")
        total += n
        print(f"  {name:24s} {n:7d} chars  {by_source.get(docs_rel + name, 0):3d} items")
    print(f"  {'TOTAL':24s} {total:7d} chars")

    print(f"\nitems: {sum(by_kind.values())}  (dev {by_split['dev']}, test {by_split['test']})")
    print(f"  {'kind':22s} {'total':>5s} {'dev':>4s} {'test':>4s}")
    for k in sorted(by_kind):
        print(f"  {k:22s} {by_kind[k]:5d} {by_kind_split[(k, 'dev')]:4d} {by_kind_split[(k, 'test')]:4d}")

    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
