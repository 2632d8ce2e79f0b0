"""``qa eval``: run configurations over the eval corpora, print one row per corpus and split, write
report.json / report-<corpus>-<split>.png, check the test halves against evals/thresholds.json."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from qa.evalcorpus import Corpus, Models, corpus_items, select
from qa.evaluate import SPLITS, THRESHOLDS, BaselineAnswerer, later_passes, report, run_passes
from qa.settings import Settings

log = logging.getLogger(__name__)
COLUMNS = [("items", "items"), ("accuracy", "acc"), ("refusal_accuracy", "refuse"), ("resistance", "resist"), ("cite_precision", "c.prec"), ("cite_recall", "c.rec"),
           ("retrieval_recall_at_k", "R@k"), ("retrieval_mrr", "MRR"), ("unverified_citations", "unver"),
           ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"), ("flip_rate", "flips"), ("changed_rate", "reword")]  # fmt: skip
NAME_WIDTH = 44


def _fmt(v, key: str = "") -> str:
    if v is None:
        return "-"
    if key.endswith("_ms"):
        return f"{v:.0f}"
    if isinstance(v, float) and v <= 1.0:
        return f"{v:.3f}"
    return f"{v:.0f}" if isinstance(v, float) else str(v)


def table(rows: list[tuple[str, dict]]) -> str:
    head = f"{'':{NAME_WIDTH}}" + "".join(f"{short:>8}" for _, short in COLUMNS)
    lines = [head]
    for name, rep in rows:
        cells = "".join(f"{_fmt(rep.get(key), key):>8}" for key, _ in COLUMNS)
        lines.append(f"{name[:NAME_WIDTH]:{NAME_WIDTH}}" + cells)
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


@dataclass(frozen=True)
class Plan:
    """What one ``qa eval`` runs."""

    corpora: tuple[Corpus, ...]
    splits: tuple[str, ...] = SPLITS
    kinds: frozenset[str] = frozenset()
    repeat: int = 1
    compare: bool = False
    limit: int | None = None
    items_file: Path | None = None
    progress: bool = True


def evaluate(
    settings: Settings, plan: Plan, models: Models
) -> tuple[list[tuple[str, dict]], dict[str, dict[str, dict]]]:
    """Run every configuration on every corpus; return the table rows (one per corpus, split and
    configuration) and the default configuration's reports as ``{corpus: {split: report}}``."""
    rows: list[tuple[str, dict]] = []
    main: dict[str, dict[str, dict]] = {}
    loaded = {
        c.name: corpus_items(c, settings.root, plan.splits, set(plan.kinds), plan.items_file) for c in plan.corpora
    }
    for corpus in plan.corpora:
        items = loaded[corpus.name][: plan.limit] if plan.limit else loaded[corpus.name]
        if not items:
            log.warning("corpus %s: no items in split %s", corpus.name, "/".join(plan.splits))
            continue
        models.index(settings, corpus)
        for name, s, kind in _configs(settings, plan.compare):
            answerer = models.answerer(s, corpus)
            target = BaselineAnswerer(answerer) if kind == "baseline" else answerer
            repeat = plan.repeat if kind == "answerer" and s.llm != "extractive" else 1
            passes = run_passes(target, items, repeat, plan.progress, f"{corpus.name} {name}")
            config = {"corpus": corpus.name, "retriever": s.retriever, "llm": s.llm, "model": target.model_name,
                      "embedder": s.embedder, "top_k": s.top_k, "evidence_k": s.evidence_k,
                      "set": str(plan.items_file or corpus.items), "repeat": repeat}  # fmt: skip
            later = later_passes(passes)
            for split in plan.splits:
                results = [r for r in passes[0] if r.item.split == split]
                if not results:
                    continue
                rep = report(results, {**config, "split": split}, s.top_k, later)
                rows.append((f"{corpus.name}/{split} {name}", rep))
                if name.startswith("default"):
                    main.setdefault(corpus.name, {})[split] = rep
    return rows, main


def run_cli(settings: Settings, args) -> int:
    """``qa eval``: build the plan from the arguments, run it, print and write the reports."""
    corpora = select(args.corpus, settings.root)
    if args.eval_set and len(corpora) != 1:
        from qa.errors import EvalFileError

        raise EvalFileError(f"--set {args.eval_set} replaces one corpus's items: add --corpus NAME")
    splits = SPLITS if args.split == "all" else (args.split,)
    if args.check and "test" not in splits:
        from qa.errors import EvalFileError

        raise EvalFileError("--check gates on the test split: run with --split test or --split all")
    plan = Plan(tuple(corpora), splits, frozenset(args.kind or ()), max(1, args.repeat), args.compare,
                args.limit, args.eval_set, not args.quiet)  # fmt: skip
    for c in corpora:  # fail fast on a malformed items file, before loading any model
        corpus_items(c, settings.root, plan.splits, set(plan.kinds), plan.items_file)
    models = Models(settings)
    try:
        rows, main = evaluate(settings, plan, models)
    finally:
        models.close()
    print(table(rows))
    _print_details(main)
    if args.out:
        _write(args.out, rows, main)
    if args.check:
        return check_thresholds({c: reps["test"] for c, reps in main.items() if "test" in reps})
    return 0


def _print_details(main: dict[str, dict[str, dict]]) -> None:
    for corpus, reps in main.items():
        for split, rep in reps.items():
            print(f"\n{corpus}/{split} (default), per kind:")
            print(per_kind_table(rep))
            wrong = [i["id"] for i in rep["per_item"] if not i["correct"]]
            if wrong:
                print(f"{len(wrong)} wrong: " + ", ".join(wrong))
            if rep.get("flipped"):
                print(f"{len(rep['flipped'])} flipped between passes: " + ", ".join(rep["flipped"]))
            if rep.get("changed"):
                print(f"{len(rep['changed'])} answers worded differently between passes: " + ", ".join(rep["changed"]))


def _write(out: Path, rows: list[tuple[str, dict]], main: dict[str, dict[str, dict]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    full = {"corpora": main, "compared": {name: {k: r[k] for k in r if k != "per_item"} for name, r in rows}}
    (out / "report.json").write_text(json.dumps(full, indent=2, ensure_ascii=False), encoding="utf-8")
    for corpus, reps in main.items():
        for split, rep in reps.items():
            plot(rep, out / f"report-{corpus}-{split}.png", f"qa eval: {rep['config']['model']} on {corpus}/{split}")
    print(f"\nwrote {out / 'report.json'} and report-<corpus>-<split>.png")


def check_thresholds(reports: dict[str, dict], path: Path = THRESHOLDS) -> int:
    """Compare each corpus's report (the test half) with its floors in ``path``; 1 if any is below.

    ``unverified_citations`` is a ceiling; every other key is a floor. A corpus with floors that
    was not run is skipped with a note.
    """
    limits = json.loads(path.read_text(encoding="utf-8"))
    if not reports:
        print("eval gate: no test half was run, nothing to check", file=sys.stderr)
        return 1
    failed = []
    for corpus, floors in limits.items():
        rep = reports.get(corpus)
        if rep is None:
            print(f"note: corpus {corpus!r} was not run; its thresholds were not checked", file=sys.stderr)
            continue
        for key, floor in floors.items():
            value = rep.get(key)
            if key == "unverified_citations":
                if value is None or value > floor:
                    failed.append(f"{corpus} {key} {value} > {floor}")
            elif value is None or value < floor:
                failed.append(f"{corpus} {key} {value} < {floor}")
    if failed:
        print("eval below thresholds in " + str(path) + ": " + "; ".join(failed), file=sys.stderr)
        return 1
    print(f"eval meets thresholds in {path} ({', '.join(sorted(set(limits) & set(reports)))})")
    return 0
