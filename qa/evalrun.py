"""``qa eval``: run configurations, print the table, write report.json / report.png, check thresholds."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from qa.evaluate import DEFAULT_SET, THRESHOLDS, BaselineAnswerer, load_items, report, run
from qa.settings import Settings

log = logging.getLogger(__name__)
COLUMNS = [("accuracy", "acc"), ("refusal_accuracy", "refuse"), ("cite_precision", "c.prec"), ("cite_recall", "c.rec"),
           ("retrieval_recall_at_k", "R@k"), ("retrieval_mrr", "MRR"), ("unverified_citations", "unver"),
           ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"), ("tokens_generated", "tokens")]  # fmt: skip


def _fmt(v, key: str = "") -> str:
    if v is None:
        return "-"
    if key.endswith("_ms"):
        return f"{v:.0f}"
    if isinstance(v, float) and v <= 1.0:
        return f"{v:.3f}"
    return f"{v:.0f}" if isinstance(v, float) else str(v)


def table(rows: list[tuple[str, dict]]) -> str:
    head = f"{'':24}" + "".join(f"{short:>9}" for _, short in COLUMNS)
    lines = [head]
    for name, rep in rows:
        lines.append(f"{name[:24]:24}" + "".join(f"{_fmt(rep.get(key), key):>9}" for key, _ in COLUMNS))
    return "\n".join(lines)


def per_kind_table(rep: dict) -> str:
    rows = [(f"  {kind} ({r['items']})", r) for kind, r in rep["per_kind"].items()]
    return table(rows)


def plot(rep: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(rep["per_kind"])
    acc = [rep["per_kind"][k]["accuracy"] or 0 for k in kinds]
    lat = [(rep["per_kind"][k]["latency_p50_ms"] or 0) / 1000 for k in kinds]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.5))
    a1.barh(kinds, acc, color="#3b82f6")
    a1.set_xlim(0, 1)
    a1.set_title(f"accuracy by kind (overall {rep['accuracy']:.2f})")
    a2.barh(kinds, lat, color="#f59e0b")
    a2.set_title("median latency by kind (s)")
    a2.set_yticklabels([])
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _configs(settings: Settings, compare: bool) -> list[tuple[str, Settings, str]]:
    """(name, settings, kind) where kind is answerer or baseline."""
    default = (f"default ({settings.retriever}+{settings.llm})", settings, "answerer")
    if not compare:
        return [
            default,
            (
                "baseline bm25 sentence",
                settings.model_copy(update={"retriever": "bm25", "llm": "extractive"}),
                "baseline",
            ),
        ]
    rows = [
        ("baseline bm25 sentence", settings.model_copy(update={"retriever": "bm25", "llm": "extractive"}), "baseline")
    ]
    for mode in ("bm25", "dense", "hybrid"):
        rows.append(
            (f"{mode} + extractive", settings.model_copy(update={"retriever": mode, "llm": "extractive"}), "answerer")
        )
    rows.append(default)
    if settings.llm_base_url and settings.llm != "openai":
        rows.append(("remote " + settings.llm_model, settings.model_copy(update={"llm": "openai"}), "answerer"))
    return rows


def run_cli(settings: Settings, args) -> int:
    from qa.embed import load_embedder
    from qa.pipeline import build_answerer

    embedder = load_embedder(settings.embedder, settings.cache_path)
    path = args.eval_set or DEFAULT_SET
    backend = None
    rows: list[tuple[str, dict]] = []
    main_report = None
    for name, s, kind in _configs(settings, args.compare):
        wants_llm = s.llm != "extractive"
        if wants_llm and (backend is None or s.llm == "openai"):
            from qa.llm import make_backend

            chat = make_backend(s)
            if s.llm != "openai":
                backend = chat
        else:
            chat = backend if wants_llm else None
        answerer = build_answerer(s, embedder=embedder, backend=chat)
        texts = answerer.retriever.texts
        items = load_items(path, texts)[: args.limit] if args.limit else load_items(path, texts)
        target = BaselineAnswerer(answerer) if kind == "baseline" else answerer
        results = run(target, items, progress=not args.quiet, label=name)
        config = {"retriever": s.retriever, "llm": s.llm, "model": target.model_name, "embedder": s.embedder,
                  "top_k": s.top_k, "evidence_k": s.evidence_k, "set": str(path)}  # fmt: skip
        rep = report(results, config, s.top_k)
        rows.append((name, rep))
        if name.startswith("default"):
            main_report = rep
    print(table(rows))
    assert main_report is not None
    print("\ndefault, per kind:")
    print(per_kind_table(main_report))
    wrong = [i for i in main_report["per_item"] if not i["correct"]]
    if wrong:
        print(f"\n{len(wrong)} wrong: " + ", ".join(i["id"] for i in wrong))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        full = {**main_report, "compared": {name: {k: r[k] for k in r if k not in ("per_item",)} for name, r in rows}}
        (args.out / "report.json").write_text(json.dumps(full, indent=2, ensure_ascii=False), encoding="utf-8")
        plot(main_report, args.out / "report.png", f"qa eval: {main_report['config']['model']} on {path.name}")
        print(f"\nwrote {args.out / 'report.json'} and {args.out / 'report.png'}")
    if args.check:
        return check_thresholds(main_report, dict(rows))
    return 0


def check_thresholds(rep: dict, rows: dict | None = None, path: Path = THRESHOLDS) -> int:
    limits = json.loads(path.read_text(encoding="utf-8"))
    failed = []
    for key, floor in limits.items():
        if key == "unverified_citations":
            if rep[key] > floor:
                failed.append(f"{key} {rep[key]} > {floor}")
        elif rep.get(key) is None or rep[key] < floor:
            failed.append(f"{key} {rep.get(key)} < {floor}")
    if failed:
        print("eval below thresholds in " + str(path) + ": " + "; ".join(failed), file=sys.stderr)
        return 1
    print(f"eval meets thresholds in {path}")
    return 0
