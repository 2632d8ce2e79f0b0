"""The ``qa`` command: index, ask, serve, eval, bench.

qa index [PATH ...] [--prune]   add or update .txt/.md files (default: seeds/)
qa remove SOURCE ...            remove documents from the index
qa ask "QUESTION" [--json]      answer with cited spans
qa serve [--host H --port P]    chat UI at /, JSON API at /api, docs at /docs
qa eval [--corpus C] [--split S]  run the eval corpora and report scores
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from qa import __version__
from qa.cli_help import HelpFormatter, at_least, help_of_flags, port, settings_epilog, settings_problem
from qa.errors import QAError, UsageError
from qa.settings import Settings

log = logging.getLogger("qa")

INDEX_HELP = """\
Add or update the .txt/.md documents under each PATH (default: seeds/) in the Chroma index.
Unchanged files are skipped, changed files re-embedded. Documents indexed from other paths are kept.

An indexed document is removed only when its file is gone from a folder given again now (or with
--prune, or by `qa remove SOURCE`). A folder with no .txt/.md files changes nothing.

Files that cannot be indexed are skipped and listed: unreadable, not UTF-8, empty, binary, or not
a regular file (FIFOs, devices and sockets are never opened; symlinks to files are fine). A
skipped file that was indexed before keeps its old chunks.

A killed run never damages the index: the new version is built beside the live one and swapped in
at the end. What a killed run leaves behind (a version that is not the live one and whose builder
process has exited, or that is over a day old) is deleted by the next `qa index` or `qa remove`.

exit status:
  0  every file indexed (or already up to date)
  1  nothing changed: no .txt/.md files, every file failed, a PATH does not exist, index error
  4  the index was updated, but some files were skipped (listed on stderr)
"""
PARTIAL = 4  # exit status: indexed, but some files were skipped


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("settings (each also read from its QA_* environment variable, listed below)")
    g.add_argument("--index-dir", help="Chroma index folder (QA_INDEX_DIR; default ./index)")
    g.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000 (QA_CHROMA_URL)")
    g.add_argument("--embedder", help="minilm (default), mpnet, or a model folder (QA_EMBEDDER)")
    g.add_argument(
        "--retriever",
        choices=["hybrid", "dense", "bm25"],
        help="hybrid (BM25 + dense), dense or bm25 (QA_RETRIEVER; default hybrid)",
    )
    g.add_argument("--llm", help="embedded (default), openai, extractive, or a .gguf path (QA_LLM)")
    g.add_argument(
        "--llm-base-url", help="OpenAI-compatible server URL, e.g. http://127.0.0.1:8080/v1 (QA_LLM_BASE_URL)"
    )
    g.add_argument("--llm-model", help="model name on that server (QA_LLM_MODEL)")
    g.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    g.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {
        k: getattr(args, k)
        for k in (
            "index_dir",
            "chroma_url",
            "embedder",
            "retriever",
            "llm",
            "llm_base_url",
            "llm_model",
            "host",
            "port",
        )
        if getattr(args, k, None) is not None
    }
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:  # a bad QA_* variable: say which, not a traceback
        raise UsageError(settings_problem(exc, overrides)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qa",
        description="Offline question answering over your documents, with verified character-span citations.",
        epilog="Example: qa index seeds/ && qa ask 'How many anchor projects are idle?'",
        formatter_class=HelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"qa {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")  # none given: parse() names them
    subs = [
        add(sub) for add in (_index_parser, _remove_parser, _ask_parser, _serve_parser, _eval_parser, _bench_parser)
    ]
    for s in subs:
        _common(s)
    env = settings_epilog(Settings, help_of_flags(subs))
    for parser in [p, *subs]:
        parser.formatter_class = HelpFormatter
        parser.epilog = f"{parser.epilog}\n\n{env}" if parser.epilog else env
    p.set_defaults(commands={s.prog.split()[-1]: s for s in subs})
    return p


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The arguments, or exit 2 with a message from the command's own parser (its usage, the bad
    value, what to do): no command, an unknown flag, a question not in quotes."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.error(f"choose a COMMAND: {', '.join(args.commands)} (`qa COMMAND --help` tells more)")
    if extra:
        sub = args.commands[args.command]
        if args.command == "ask" and not any(x.startswith("-") for x in extra):
            words = " ".join([args.question, *extra])
            sub.error(f'the question must be one argument: put it in quotes, e.g. qa ask "{words}"')
        sub.error(f"unrecognized arguments: {' '.join(extra)} (`qa {args.command} --help` lists the flags)")
    return args


def check_kinds(kinds: list[str] | None) -> None:
    """Exit early (no model loaded) when ``qa eval --kind`` names no kind of item."""
    from qa.evaluate import KINDS

    unknown = sorted(set(kinds or ()) - KINDS)
    if unknown:
        raise UsageError(f"--kind {', '.join(unknown)}: no such kind of item; choose from {', '.join(sorted(KINDS))}")


def _index_parser(sub) -> argparse.ArgumentParser:
    s = sub.add_parser(
        "index",
        help="add or update .txt/.md files (incremental, never destructive)",
        description=INDEX_HELP,
    )
    s.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: seeds/)")
    s.add_argument(
        "--prune", action="store_true", help="also remove every indexed document not found under the PATHs given"
    )
    s.add_argument(
        "--rebuild",
        action="store_true",
        help="delete the whole index (even a damaged one) and build it from these PATHs only",
    )
    return s


def _remove_parser(sub) -> argparse.ArgumentParser:
    s = sub.add_parser(
        "remove",
        help="remove documents from the index",
        description="Remove indexed documents: SOURCE is a name as cited (seeds/a.txt), a folder of them, or a "
        "path to either. Nothing is removed when one SOURCE matches no indexed document (exit 1).",
    )
    s.add_argument("sources", nargs="+", metavar="SOURCE", help="indexed document, folder or path")
    return s


def _ask_parser(sub) -> argparse.ArgumentParser:
    s = sub.add_parser(
        "ask",
        help="answer one question",
        description="Answer a question from the indexed documents, citing exact spans.",
        epilog='Example: qa ask "How many anchor projects are idle?" --json',
    )
    s.add_argument("question", help="the question, in quotes")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    return s


def _serve_parser(sub) -> argparse.ArgumentParser:
    s = sub.add_parser(
        "serve",
        help="start the chat UI and HTTP API",
        description="Chat UI at /, JSON API under /api, OpenAI-compatible /v1, docs at /docs.",
    )
    s.add_argument("--host", help="bind address (default 127.0.0.1)")
    s.add_argument("--port", type=port, help="port (default 7860)")
    return s


def _eval_parser(sub) -> argparse.ArgumentParser:
    s = sub.add_parser(
        "eval",
        help="run the eval corpora and report scores",
        description="Run known Q&A pairs through the same path as the chat and score answers, citations, "
        "refusals, resistance to planted instructions and latency: one row per corpus and split. Each corpus "
        "(seed, docs, injection) is indexed into its own folder under the index dir.",
        epilog="Example: qa eval --corpus seed --split dev --kind number",
    )
    s.add_argument(
        "--corpus", default="all", help="seed, docs, injection, comma-separated, or all (default: all present)"
    )
    s.add_argument(
        "--split", choices=["dev", "test", "all"], default="all", help="items to run (default all: a row each)"
    )
    s.add_argument("--kind", action="append", help="only items of this kind (repeatable)")
    s.add_argument(
        "--repeat",
        type=at_least(1),
        default=1,
        metavar="N",
        help="answer each item N times (later passes reversed); reports the flip rate",
    )
    s.add_argument(
        "--set",
        dest="eval_set",
        type=Path,
        metavar="FILE",
        help="items file replacing the corpus's own (needs one --corpus)",
    )
    s.add_argument("--out", type=Path, metavar="DIR", help="write DIR/report.json and DIR/report-<corpus>-<split>.png")
    s.add_argument("--compare", action="store_true", help="run several configurations side by side")
    s.add_argument("--check", action="store_true", help="exit 1 if a test half is below evals/thresholds.json")
    s.add_argument("--limit", type=at_least(1), metavar="N", help="only the first N items of each corpus")
    return s


def _bench_parser(sub) -> argparse.ArgumentParser:
    s = sub.add_parser(
        "bench",
        help="time index build, retrieval and answers",
        description="Benchmark the default pipeline on the seed and print timings.",
    )
    s.add_argument("--questions", type=at_least(1), help="answers to time (default 10; 15 with --decode)")
    s.add_argument("--warm-up", action="store_true", help="fill the prompt cache first, as the server does")
    mode = s.add_mutually_exclusive_group()
    mode.add_argument("--decode", action="store_true", help="compare decoding options (speculative, stop) on the seed")
    mode.add_argument("--start", action="store_true", help="time start-up to ready, step by step")
    mode.add_argument(
        "--corpora",
        metavar="C,C",
        help="warm answer latency per eval corpus (e.g. seed,docs) in one run, and each p50 against the first's",
    )
    mode.add_argument(
        "--scale", type=at_least(1), metavar="N", help="index a corpus of N chunks; time indexing and retrieval"
    )
    mode.add_argument("--peers", action="store_true", help="our answers vs a stock LangChain RAG chain and BM25")
    mode.add_argument("--prefill", action="store_true", help="how fast the model reads an uncached block (tokens/s)")
    s.add_argument("--option", action="append", dest="options", help="with --decode: only this option (repeatable)")
    s.add_argument("--cold", action="store_true", help="with --start: delete the saved prompt caches first")
    s.add_argument("--limit", type=at_least(1), metavar="N", help="with --peers: N dev items, evenly spread")
    s.add_argument(
        "--embed-threads",
        type=at_least(0),
        help="with --scale: embedder threads for indexing (default QA_INDEX_THREADS: one per core)",
    )
    s.add_argument("--no-tune", action="store_true", help="with --scale: skip the embedder backends/threads table")
    s.add_argument(
        "--answers",
        type=at_least(0),
        default=0,
        metavar="K",
        help="with --scale: also start the model on the scaled index and time K answers (p50/p95, ready)",
    )
    return s


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "bm25s", "chromadb", "sentence_transformers", "urllib3", "openai", "httpcore"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    print(answer.text)
    for i, c in enumerate(answer.citations, 1):
        print(f'  [{i}] {c.source}:{c.start}-{c.end}  "{c.quote}"')


def _print_report(report, settings: Settings) -> None:
    for source in report.removed_sources:
        print(f"removed: {source}")
    print(
        f"{report.documents} documents: {report.added} chunks added, {report.removed} removed, "
        f"{report.unchanged} unchanged ({settings.chroma_url or settings.index_path})"
    )


def _index(settings: Settings, args: argparse.Namespace) -> int:
    from qa.pipeline import index_documents

    report, problems = index_documents(
        settings, args.paths or None, progress=not args.quiet, rebuild=args.rebuild, prune=args.prune
    )
    for msg in problems:
        print(f"skipped: {msg}", file=sys.stderr)
    _print_report(report, settings)
    if problems:
        print(f"{len(problems)} problem(s) above: those files were not indexed (exit {PARTIAL})", file=sys.stderr)
    return PARTIAL if problems else 0


def _bench(settings: Settings, args: argparse.Namespace) -> int:
    from qa import bench

    if args.decode:
        return bench.run_decode(settings, args.questions or 15, args.options)
    if args.start:
        return bench.run_start(settings, args.cold)
    if args.prefill:
        return bench.run_prefill(settings)
    if args.corpora:
        return bench.run_corpora(settings, args.questions or 15, args.corpora)
    if args.scale is not None:
        from qa.scale import run_scale

        return run_scale(settings, args.scale, not args.no_tune, args.embed_threads, args.answers)
    if args.peers:
        from qa.peers import run_peers

        return run_peers(settings, args.limit)
    return bench.run_bench(settings, args.questions or 10, args.warm_up)


def _remove(settings: Settings, args: argparse.Namespace) -> int:
    from qa.pipeline import remove_documents

    _print_report(remove_documents(settings, args.sources), settings)
    return 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    from qa.errors import check_question
    from qa.pipeline import build_answerer

    check_question(args.question, settings.max_question_chars)  # fail fast, before loading models
    _print_answer(build_answerer(settings).answer(args.question), args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = parse(argv)
    _setup_logging(args)
    try:
        settings = settings_from(args)
        if args.command == "index":
            return _index(settings, args)
        if args.command == "remove":
            return _remove(settings, args)
        if args.command == "ask":
            return _ask(settings, args)
        if args.command == "serve":
            from qa.api import serve

            serve(settings)
            return 0
        if args.command == "eval":
            from qa.evalrun import run_cli

            check_kinds(args.kind)
            return run_cli(settings, args)
        if args.command == "bench":
            return _bench(settings, args)
    except QAError as exc:
        for msg in getattr(exc, "problems", ()):
            print(f"skipped: {msg}", file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
