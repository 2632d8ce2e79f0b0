"""Index generations: their names, who builds them, and which ones are orphans (pure rules, no Chroma).

A generation is named ``<index>_<YYYYmmddHHMMSS>_<6 hex>`` and stored as two collections,
``<gen>_chunks`` and ``<gen>_docs``; its builder records itself in both collections' metadata
(``owner`` = ``host:pid``, ``started`` = epoch seconds). A pointer collection ``<index>_meta``
names the live generation.

**Orphan rule.** A killed build leaves its generation behind. At the start of every write
(``qa index``, ``qa remove``) a generation of this index is deleted as an orphan when it is not
the one the pointer names (read again just before deleting) and no live build is writing it:

- built by this process: an orphan unless a build in this process is writing it now;
- built by another process on this host: an orphan once that process has exited;
- built on another host, or by a process still running a day later (its id may have been
  reused): an orphan once it is older than ``STALE_AFTER_S``;
- no builder recorded (an index written by an older version): an orphan when it was started
  before the current run began.

>>> gen = new_generation("qa", now=0.0)
>>> parse_collection("qa", gen + "_chunks") == (gen, "chunks")
True
>>> parse_collection("qa", "qa_meta"), parse_collection("qa", "qa_other_20240101000000_abcdef_docs")
(None, None)
"""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

STALE_AFTER_S = 24 * 3600
_STAMP = "%Y%m%d%H%M%S"
_BUILDING: set[str] = set()  # generations a build in this process is writing now


@dataclass(frozen=True)
class Builder:
    """Who started a generation, and when (epoch seconds)."""

    host: str
    pid: int
    started: float


def new_generation(index: str, now: float | None = None) -> str:
    """A fresh generation name for ``index``, stamped with the (local) time."""
    stamp = time.strftime(_STAMP, time.localtime(time.time() if now is None else now))
    return f"{index}_{stamp}_{uuid.uuid4().hex[:6]}"


def parse_collection(index: str, name: str) -> tuple[str, str] | None:
    """``(generation, "chunks" | "docs")`` for a collection of ``index``'s generations, else None."""
    m = re.fullmatch(rf"({re.escape(index)}_\d{{14}}_[0-9a-f]{{6}})_(chunks|docs)", name)
    return (m.group(1), m.group(2)) if m else None


def stamp_of(gen: str) -> float:
    """The start time written into a generation's name (epoch seconds)."""
    return time.mktime(time.strptime(gen.rsplit("_", 2)[1], _STAMP))


def owner_metadata() -> dict[str, str | float]:
    """Metadata that names this process as a generation's builder."""
    return {"owner": f"{socket.gethostname()}:{os.getpid()}", "started": time.time()}


def builder_of(metadata: dict | None) -> Builder | None:
    """The builder recorded in a collection's metadata, or None when none is (older versions)."""
    owner, started = (metadata or {}).get("owner"), (metadata or {}).get("started")
    host, _, pid = str(owner).rpartition(":")
    if not owner or not host or not pid.isdigit() or not isinstance(started, int | float):
        return None
    return Builder(host, int(pid), float(started))


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (an exited, unreaped zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def is_orphan(gen: str, builder: Builder | None, run_started: float, now: float | None = None) -> bool:
    """Whether generation ``gen`` (not the live one) was left by a build that no longer runs."""
    now = time.time() if now is None else now
    if builder is None:
        return stamp_of(gen) < int(run_started)
    if builder.host == socket.gethostname() and builder.pid == os.getpid():
        return gen not in _BUILDING
    if now - builder.started > STALE_AFTER_S:
        return True
    return builder.host == socket.gethostname() and not process_alive(builder.pid)


def building(gen: str) -> None:
    """Mark ``gen`` as being written by this process (so no cleanup here deletes it)."""
    _BUILDING.add(gen)


def built(gen: str) -> None:
    """The build of ``gen`` in this process is over (finished or failed)."""
    _BUILDING.discard(gen)
