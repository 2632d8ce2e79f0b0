"""An ONNX Runtime embedder: sentence-transformers' vectors without importing PyTorch at run time.

Importing ``sentence_transformers`` (PyTorch, transformers, scikit-learn) takes about 4 s on this
kind of machine, most of a server's start; ONNX Runtime (which Chroma already depends on) and
``tokenizers`` load in about 0.3 s and encode about 1.7x faster on one CPU thread. The model is
exported once, from the same folder, with its mean pooling and normalisation inside the graph,
and kept under ``CACHE/onnx/``; the vectors equal sentence-transformers' to about 1e-6, so an
index built with either backend is queried with the other.

Only models that sentence-transformers runs as Transformer → mean Pooling → Normalize are
exported (all-MiniLM-L6-v2 and all-mpnet-base-v2 are); any other folder keeps the PyTorch path.

>>> supports(Path("/nonexistent"))
False
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from pathlib import Path

from qa.embed import BatchedEmbedder

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1  # bump when the exported graph changes: older files under CACHE/onnx/ are not used
OPSET = 17  # ONNX Runtime 1.2x and later run it; BERT-style encoders need nothing newer
WEIGHTS = ("model.safetensors", "pytorch_model.bin")
_MODULES = [
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
]


def _json(path: Path) -> dict | list | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def supports(model_dir: Path) -> bool:
    """The folder is a sentence-transformers model this module reproduces exactly: Transformer,
    mean pooling, Normalize, a ``tokenizer.json`` and its weights."""
    modules = _json(model_dir / "modules.json")
    if not isinstance(modules, list) or [m.get("type") for m in modules] != _MODULES:
        return False
    pooling = _json(model_dir / modules[1].get("path", "1_Pooling") / "config.json")
    modes = {k for k, v in (pooling or {}).items() if k.startswith("pooling_mode") and v}
    has_weights = any((model_dir / w).is_file() for w in WEIGHTS)
    return modes == {"pooling_mode_mean_tokens"} and (model_dir / "tokenizer.json").is_file() and has_weights


def _pad_token(model_dir: Path) -> str:
    """The padding token the model's tokenizer config names ("[PAD]" for BERT, "<pad>" for MPNet)."""
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        pad = (_json(model_dir / name) or {}).get("pad_token")
        if isinstance(pad, dict):
            pad = pad.get("content")
        if isinstance(pad, str):
            return pad
    return "[PAD]"


def export_path(model_dir: Path, cache: Path) -> Path:
    """Where the export of ``model_dir`` is kept: named by the folder and its weights' size and
    modification time, so a changed model is exported anew."""
    stats = [
        (w, (model_dir / w).stat().st_size, (model_dir / w).stat().st_mtime_ns)
        for w in WEIGHTS
        if (model_dir / w).is_file()
    ]
    key = hashlib.sha256(json.dumps([str(model_dir.resolve()), stats, EXPORT_FORMAT]).encode()).hexdigest()[:16]
    return cache / "onnx" / f"{model_dir.name}-{key}.onnx"


def export(model_dir: Path, target: Path) -> Path:
    """Export the model with mean pooling and normalisation to ``target`` (atomically; once)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    names = list(tokenizer.model_input_names)
    sample = tokenizer(["an example", "a second, longer example"], padding=True, return_tensors="pt")

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            feed = dict(zip(names, inputs, strict=True))
            out = self.model(**feed).last_hidden_state
            mask = feed["attention_mask"].unsqueeze(-1).to(out.dtype)
            mean = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"embedding": {0: "batch"}}
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation and tracing notes
        torch.onnx.export(
            Pooled(),
            tuple(sample[n] for n in names),
            str(tmp),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
    os.replace(tmp, target)
    log.info("exported %s to %s (once)", model_dir.name, target)
    return target


class OnnxEmbedder(BatchedEmbedder):
    """Encodes with ONNX Runtime on ``threads`` CPU threads; tokenises with ``tokenizers``, truncating
    at the model's ``max_seq_length`` as sentence-transformers does."""

    def __init__(self, model_dir: Path, onnx_file: Path, threads: int = 1, name: str | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        super().__init__(name or model_dir.name)
        config = _json(model_dir / "sentence_bert_config.json") or {}
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(config.get("max_seq_length") or 512))
        pad = _pad_token(model_dir)
        self._tokenizer.enable_padding(pad_id=self._tokenizer.token_to_id(pad) or 0, pad_token=pad)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only
        self._session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self._session.get_inputs()]
        log.info("embedder %s loaded from %s (ONNX Runtime, %d thread(s))", self.name, onnx_file, threads)

    def _encode_batch(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        encoded = self._tokenizer.encode_batch(texts)
        fields = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}
        feed = {n: np.array([getattr(e, fields[n]) for e in encoded], dtype=np.int64) for n in self._inputs}
        return self._session.run(None, feed)[0].tolist()


def load(model_dir: Path, cache: Path, threads: int = 1, name: str | None = None) -> OnnxEmbedder:
    """The ONNX embedder for ``model_dir``, exported first if this is the first use."""
    target = export_path(model_dir, cache)
    if not target.is_file():
        export(model_dir, target)
    return OnnxEmbedder(model_dir, target, threads=threads, name=name)
