"""``qa bench`` helpers: option checks, the timing wrapper, the CLI's bench flags."""

from __future__ import annotations

import pytest

from qa.bench import DECODE_OPTIONS, Timed, _check_decode, pct
from qa.cli import build_parser
from qa.errors import LLMUnavailable
from qa.settings import Settings
from tests.conftest import FakeChat


def test_decode_needs_the_embedded_model_and_known_options(tmp_path):
    with pytest.raises(LLMUnavailable, match="QA_LLM=embedded"):
        _check_decode(Settings(root=tmp_path, llm="extractive"), ["baseline"])
    with pytest.raises(LLMUnavailable, match="choose from"):
        _check_decode(Settings(root=tmp_path), ["warp-drive"])
    _check_decode(Settings(root=tmp_path), list(DECODE_OPTIONS))
    assert next(iter(DECODE_OPTIONS)) == "baseline"


def test_timed_records_each_reply_and_piece():
    t = Timed(FakeChat("Three projects are idle. [1]"))
    assert t.complete([{"role": "user", "content": "q"}], 10) == "Three projects are idle. [1]"
    text, start, times = t.calls[0]
    assert text == "Three projects are idle. [1]" and len(times) == 5 and times[0] >= start
    assert t.tokens_generated == 5 and pct([5.0, 1.0, 3.0, 2.0], 0.95) == 5.0


def test_bench_modes_are_exclusive():
    p = build_parser()
    args = p.parse_args(["bench", "--scale", "1000", "--embed-threads", "2"])
    assert args.scale == 1000 and args.embed_threads == 2 and not args.peers
    with pytest.raises(SystemExit):
        p.parse_args(["bench", "--start", "--peers"])


def test_corpora_latency_rows_in_one_run(tmp_path, monkeypatch, capsys):
    """Each corpus is indexed and answered with the same models; the ratio is against the first."""
    from qa.bench import run_corpora
    from tests.conftest import FakeEmbedder

    monkeypatch.setattr("qa.embed.load_embedder", lambda *a, **k: FakeEmbedder())
    chat = FakeChat("NOT IN DOCUMENT")
    monkeypatch.setattr("qa.llm.make_backend", lambda settings: chat)
    s = Settings(index_dir=tmp_path / "idx", cache_dir=tmp_path / "cache")
    assert run_corpora(s, 3, "seed,docs") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["corpus", "questions"]
    rows = {ln.split()[0]: ln.split() for ln in lines[1:]}
    assert set(rows) == {"seed", "docs"} and rows["seed"][1] == rows["docs"][1] == "3"
    assert rows["seed"][-1] == "1.00" and float(rows["docs"][-1]) > 0
    assert chat.seen  # the model was asked


@pytest.mark.slow
def test_prefill_rates_from_the_real_model(capsys):
    """``qa bench --prefill``: llama.cpp's own prompt timings for fresh (uncached) blocks: each
    block is new text, so the tokens read grow with its size."""
    from qa.bench import run_prefill

    assert run_prefill(Settings(), sizes=(200, 600)) == 0
    rows = [ln.split() for ln in capsys.readouterr().out.splitlines()[1:]]
    assert [int(r[0]) for r in rows] == [200, 200, 600, 600]
    tokens = [int(r[1]) for r in rows]
    assert min(tokens[2:]) > 1.5 * max(tokens[:2]) and all(float(r[3]) > 1 for r in rows)
