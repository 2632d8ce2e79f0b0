import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.errors import EvalFileError, LLMUnavailable
from qa.evalrun import check_thresholds
from qa.evaluate import DEFAULT_SET, KINDS, BaselineAnswerer, is_correct, load_items, report, run
from tests.conftest import ROOT, SEED, FakeChat

SOURCE = "seeds/" + SEED.name
TEXTS = {SOURCE: SEED.read_text(encoding="utf-8")}


def item(**kw) -> str:
    base = {"id": "x", "kind": "number", "question": "How many?", "answerable": True, "must": [["3", "three"]],
            "evidence": ["three projects stand idle"], "source": SOURCE}  # fmt: skip
    return json.dumps({**base, **kw})


def test_seed_set_is_valid_and_covers_every_kind():
    items = load_items(DEFAULT_SET, TEXTS)
    assert len(items) >= 60
    corpus_kinds = {"title", "section", "definition", "comparison", "entity_unanswerable", "multipart"}
    seed_kinds = KINDS - corpus_kinds  # the kinds that need several documents live in the docs corpus
    assert {i.kind for i in items} >= seed_kinds
    assert all(sum(i.kind == k for i in items) >= 4 for k in seed_kinds)
    assert all({i.split for i in items if i.kind == k} == {"dev", "test"} for k in seed_kinds)
    assert len({i.id for i in items}) == len(items)
    for i in items:
        for source, start, end in i.evidence:
            assert 0 <= start < end <= len(TEXTS[source])


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("{not json", "not valid JSON"),
        (item(kind="poem"), "field 'kind'"),
        (item(question=""), "field 'question'"),
        (item(must="3"), "field 'must'"),
        (item(answerable="maybe"), "field 'answerable'"),
        (item(evidence=["seven projects stand idle"]), "field 'evidence'"),
        (item(source="seeds/none.txt"), "field 'source'"),
    ],
)
def test_malformed_file_names_file_line_and_field(tmp_path: Path, line, needle):
    f = tmp_path / "set.jsonl"
    f.write_text(item() + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EvalFileError) as err:
        load_items(f, TEXTS)
    assert f"{f}:3" in str(err.value) and needle in str(err.value)


def test_correctness_rules():
    items = {i.id: i for i in load_items(DEFAULT_SET, TEXTS)}
    idle = items["number-01"]
    assert is_correct(idle, "Three of the 41 projects stand idle. [1]", False)
    assert is_correct(idle, "3 projects stand idle. [1]", False)
    assert not is_correct(idle, "Nine projects. [3]", False)  # the [3] marker does not count
    assert not is_correct(idle, "Three. [1]", True)
    towns = items["list-02"]
    assert is_correct(towns, "Temirtau, Balkhash and kulsary. [1]", False)
    assert not is_correct(towns, "Temirtau and Balkhash. [1]", False)  # every member required
    gdp = items["unanswerable-01"]
    assert is_correct(gdp, "The documents do not say.", True)
    assert not is_correct(gdp, "18.5 trillion tenge. [1]", False)
    inj = items["injection-01"]
    assert not is_correct(inj, "100 anchor projects are idle; really three. [1]", False)


def test_run_scores_and_keeps_going_after_errors(make_answerer):
    items = load_items(DEFAULT_SET, TEXTS)[:12]
    calls = {"n": 0}

    def flaky(messages):
        calls["n"] += 1
        return LLMUnavailable("timed out") if calls["n"] == 2 else "NOT IN DOCUMENT"

    results = run(make_answerer(FakeChat(flaky)), items, progress=False)
    assert len(results) == 12
    errored = [r for r in results if r.error]
    assert len(errored) == 1 and not errored[0].correct
    rep = report(results, {"llm": "fake"}, 4)
    for key in ("items", "accuracy", "refusal_accuracy", "cite_precision", "cite_recall", "unverified_citations",
                "latency_p50_ms", "latency_p95_ms"):  # fmt: skip
        assert key in rep
    assert rep["items"] == 12 and rep["unverified_citations"] == 0 and rep["per_kind"]


def test_baseline_answers_with_best_bm25_sentence(make_answerer):
    base = BaselineAnswerer(make_answerer(None))
    ans = base.answer("How many anchor projects are idle?")
    assert not ans.refused and ans.citations[0].quote in ans.text
    assert base.answer("zzzz qqqq").refused


def test_threshold_check(tmp_path: Path):
    limits = tmp_path / "t.json"
    limits.write_text(json.dumps({"accuracy": 0.7, "unverified_citations": 0}))
    assert check_thresholds({"accuracy": 0.8, "unverified_citations": 0}, path=limits) == 0
    assert check_thresholds({"accuracy": 0.6, "unverified_citations": 0}, path=limits) == 1
    assert check_thresholds({"accuracy": 0.8, "unverified_citations": 1}, path=limits) == 1


@pytest.mark.slow
def test_eval_on_embedded_default_meets_thresholds(tmp_path: Path):
    """The CI gate: the whole set through the real default pipeline, against evals/thresholds.json."""
    out = ROOT / "artifacts" / "eval"
    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "index"), "QA_CACHE_DIR": str(ROOT / ".cache")}
    subprocess.run([sys.executable, "-m", "qa.cli", "index", "-q"], cwd=ROOT, env=env, check=True, timeout=300)
    proc = subprocess.run(
        [sys.executable, "-m", "qa.cli", "eval", "-q", "--check", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rep = json.loads((out / "report.json").read_text())
    assert rep["unverified_citations"] == 0
    assert rep["accuracy"] > rep["compared"]["baseline bm25 sentence"]["accuracy"]
    assert rep["refusal_accuracy"] > rep["compared"]["baseline bm25 sentence"]["refusal_accuracy"]
    assert (out / "report.png").stat().st_size > 1000
