"""Stdlib check of evals/seed_qa.jsonl: valid JSON, unique ids, evidence verbatim in the seed."""
import json, pathlib, sys
root = pathlib.Path(__file__).resolve().parent.parent
ids, bad = set(), 0
for n, line in enumerate((root / "evals/seed_qa.jsonl").read_text(encoding="utf-8").splitlines(), 1):
    d = json.loads(line)
    if d["id"] in ids: print(f"line {n}: duplicate id {d['id']}"); bad += 1
    ids.add(d["id"])
    text = (root / d["source"]).read_text(encoding="utf-8")
    for e in d["evidence"]:
        if e not in text: print(f"{d['id']}: evidence not in source: {e!r}"); bad += 1
    if d["answerable"] is False and (d["must"] or d["evidence"]): print(f"{d['id']}: unanswerable with must/evidence"); bad += 1
    if d.get("split") not in ("dev", "test"): print(f"{d['id']}: bad split"); bad += 1
print(f"{len(ids)} items, {bad} problems"); sys.exit(1 if bad else 0)
