"""Embedders: the ONNX Runtime path gives sentence-transformers' vectors, and falls back to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa import embed, onnx_embed
from qa.errors import ModelError

MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
]


def model_folder(tmp_path: Path, modules=MODULES, pooling=None) -> Path:
    d = tmp_path / "m"
    (d / "1_Pooling").mkdir(parents=True)
    (d / "modules.json").write_text(json.dumps(modules))
    (d / "1_Pooling" / "config.json").write_text(json.dumps(pooling or {"pooling_mode_mean_tokens": True}))
    (d / "tokenizer.json").write_text("{}")
    (d / "model.safetensors").write_bytes(b"weights")
    return d


def test_supports_only_mean_pooled_normalised_models(tmp_path):
    assert onnx_embed.supports(model_folder(tmp_path / "a"))
    cls = {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}
    assert not onnx_embed.supports(model_folder(tmp_path / "b", pooling=cls))
    assert not onnx_embed.supports(model_folder(tmp_path / "c", modules=MODULES[:2]))  # not normalised
    d = model_folder(tmp_path / "d")
    (d / "model.safetensors").unlink()
    assert not onnx_embed.supports(d)


def test_export_path_follows_the_weights(tmp_path):
    d = model_folder(tmp_path)
    first = onnx_embed.export_path(d, tmp_path / "cache")
    assert first == onnx_embed.export_path(d, tmp_path / "cache") and first.suffix == ".onnx"
    (d / "model.safetensors").write_bytes(b"other, longer weights")
    assert onnx_embed.export_path(d, tmp_path / "cache") != first


class Recorder(embed.BatchedEmbedder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__("torch-fake")
        self.batches: list[int] = []

    def _encode_batch(self, texts):
        self.batches.append(len(texts))
        return [[float(len(t)), 1.0] for t in texts]


def test_a_failed_export_falls_back_to_pytorch(tmp_path, monkeypatch):
    d = model_folder(tmp_path)
    monkeypatch.setattr("qa.models.embedder_path", lambda name, cache: d)
    monkeypatch.setattr(embed, "SentenceTransformerEmbedder", Recorder)

    def broken(*a, **k):
        raise RuntimeError("no exporter")

    monkeypatch.setattr(onnx_embed, "load", broken)
    assert embed.load_embedder("minilm", tmp_path, "onnx").name == "torch-fake"
    with pytest.raises(ModelError, match="'gpu'.*onnx or torch"):
        embed.load_embedder("minilm", tmp_path, "gpu")


def test_batches_and_only_new_texts_are_encoded(monkeypatch):
    r = Recorder()
    assert len(r.embed([f"text {i}" for i in range(70)])) == 70 and r.batches == [32, 32, 6]
    assert r.embed(["text 3", "new one", "text 3"]) == [[6.0, 1.0], [7.0, 1.0], [6.0, 1.0]]
    assert r.batches[-1] == 1 and len(r.batches) == 4  # only "new one" was encoded
    r.embed_one("q")
    r.embed_one("q")
    assert len(r.batches) == 5
    monkeypatch.setattr(Recorder, "CACHE", 3)
    r.embed(["a", "b", "c", "d"])
    assert len(r._cache) == 3 and "a" not in r._cache


@pytest.mark.slow
def test_onnx_vectors_equal_sentence_transformers(tmp_path):
    """The real MiniLM: exported once, then the same vectors as PyTorch (long texts truncated alike)."""
    docs = Path(__file__).resolve().parents[1] / "evals" / "docs" / "gpl-3.0.txt"
    texts = [p for p in docs.read_text(encoding="utf-8").split("\n\n") if p.strip()][:40]
    texts += [" ".join(texts), "How many anchor projects are idle?"]
    fast = embed.load_embedder("minilm", tmp_path, "onnx")
    assert isinstance(fast, onnx_embed.OnnxEmbedder)
    assert list((tmp_path / "onnx").glob("*.onnx"))
    slow = embed.load_embedder("minilm", tmp_path, "torch")
    for a, b in zip(fast.embed(texts), slow.embed(texts), strict=True):
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-4
    again = embed.load_embedder("minilm", tmp_path, "onnx")  # the export is reused
    assert again.embed_one(texts[-1]) == pytest.approx(fast.embed_one(texts[-1]), abs=1e-6)
