"""Speed options for the embedded llama.cpp server: draftless speculative decoding and the
prompt cache saved to disk, so a restart restores the documents' prompt instead of re-reading it.

A slot file is named by a digest of the model file and the exact prompt, so a changed corpus,
system prompt or model never restores a stale cache:

>>> slot_name(Path("/nonexistent/m.gguf"), [{"role": "system", "content": "x"}])[:5]
'qa-1-'
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

SPECULATIVE = ("none", "ngram-simple", "ngram-map-k", "ngram-map-k4v", "ngram-mod", "ngram-cache")
KEEP_SLOTS = 3  # slot files kept (newest first): one per corpus/prompt/model seen recently
_FORMAT = 1  # bump when the way a slot is keyed changes


def configure(p, speculative: tuple[str, int, int], slot_dir: Path | None, params: dict | None = None) -> None:
    """Set llama.cpp ``CommonParams`` ``p``: ``speculative`` is (kind, n-gram size, most tokens
    drafted), kind one of SPECULATIVE; ``slot_dir`` enables saving and restoring the prompt cache;
    ``params`` sets other fields by dotted name (``{"cpuparams.poll": 100}``; see ``set_params``)."""
    import xllamacpp as xlc

    from qa.errors import ModelError

    kind, ngram, draft_max = speculative
    if kind not in SPECULATIVE:
        raise ModelError(f"speculative decoding {kind!r} is unknown: set QA_LLM_SPECULATIVE to one of {SPECULATIVE}")
    if kind != "none":
        name = "COMMON_SPECULATIVE_TYPE_" + kind.upper().replace("-", "_")
        p.speculative.types = [getattr(xlc.common_speculative_type, name)]
        p.speculative.draft.n_max = draft_max
        for m in (p.speculative.ngram_simple, p.speculative.ngram_map_k, p.speculative.ngram_map_k4v):
            m.size_n, m.size_m = ngram, draft_max
    if slot_dir is not None:
        Path(slot_dir).mkdir(parents=True, exist_ok=True)
        p.slot_save_path = str(slot_dir).rstrip("/") + "/"  # llama.cpp appends the file name as is
    set_params(p, params or {})


def set_params(p, params: dict) -> None:
    """Set ``params`` (dotted field name -> value) on llama.cpp ``CommonParams`` ``p``; a string
    given for an enum field is that enum's member name (``"LLAMA_FLASH_ATTN_TYPE_ENABLED"``).

    >>> class P: pass
    >>> p = P(); p.cpuparams = P(); p.cpuparams.poll = 50
    >>> set_params(p, {"cpuparams.poll": 100}); p.cpuparams.poll
    100
    """
    from qa.errors import ModelError

    for name, value in params.items():
        *path, field = name.split(".")
        obj = p
        try:
            for part in path:
                obj = getattr(obj, part)
            current = getattr(obj, field)
            if isinstance(value, str) and not isinstance(current, str):
                value = type(current)[value]
            setattr(obj, field, value)
        except (AttributeError, KeyError, TypeError) as exc:
            raise ModelError(f"llama.cpp parameter {name}={value!r} cannot be set ({exc}); check the name") from exc


def slot_name(gguf: Path, messages: list[dict[str, str]]) -> str:
    """The slot file for ``messages`` on model ``gguf``: a digest of both (file name, size, mtime)."""
    st = gguf.stat() if gguf.exists() else None
    model = [gguf.name, st.st_size if st else 0, st.st_mtime_ns if st else 0]
    blob = json.dumps([_FORMAT, model, messages], ensure_ascii=False, sort_keys=True).encode()
    return f"qa-{_FORMAT}-{hashlib.sha256(blob).hexdigest()[:24]}.slot"


def slot_action(base: str, action: str, name: str, slot_dir: Path | None, key: str | None = None) -> bool:
    """POST llama.cpp's ``/slots/0?action=save|restore`` for file ``name`` (``key``: the server's
    API key); False if not possible."""
    import httpx

    if slot_dir is None or (action == "restore" and not (Path(slot_dir) / name).is_file()):
        return False
    try:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        r = httpx.post(f"{base}/slots/0?action={action}", json={"filename": name}, headers=headers, timeout=120)
    except httpx.HTTPError as exc:
        log.warning("prompt cache %s of %s failed: %s", action, name, exc)
        return False
    if r.status_code != 200:
        log.warning("prompt cache %s of %s failed: HTTP %d %s", action, name, r.status_code, r.text[:200])
        return False
    log.debug("prompt cache %s: %s", action, r.text[:200])
    return True


def prime(backend, messages: list[dict[str, str]]) -> str:
    """Fill ``backend``'s (an ``Embedded``) prompt cache with ``messages``: restored from its slot
    file when an earlier start saved one, else computed and saved. Returns "restored" or "computed".
    A saved cache is also what the backend restores before each question (``reset_slot``)."""
    name = slot_name(backend.gguf, messages)
    if backend.restore_slot(name):
        backend.reset_slot = name
        return "restored"
    backend.complete(messages, 1)
    if backend.slot_dir is not None and backend.save_slot(name):
        backend.reset_slot = name
        prune(Path(backend.slot_dir), keep=KEEP_SLOTS)
    return "computed"


def prune(slot_dir: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest slot files of ``slot_dir``; returns the deleted ones."""
    files = sorted(slot_dir.glob("qa-*.slot"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
    for f in files[keep:]:
        f.unlink(missing_ok=True)
    return files[keep:]
