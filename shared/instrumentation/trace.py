"""Trace records: one JSON line per request or task, so one action's fan-out can be added up.

Written only when BLOG_TRACE_DIR is set (the launcher sets it for study and test runs) and
tracing is not switched off there (stacks.launcher.Stack.set_tracing writes the switch
file, so a benchmark can measure latency with no trace records written); the harness
reads them back with stacks.tracing. A process's file is rotated at BLOG_TRACE_MAX_BYTES
(one older generation kept), so a long-running stack's traces stay bounded.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

# In the trace folder: while this file exists, no process writes trace records.
TRACING_OFF_FILE = "tracing-off"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# The switch file is looked at no more often than this (a stat per request was ~10 us here);
# Stack.set_tracing waits this long after flipping it.
SWITCH_CHECK_SECONDS = 0.1

_lock = threading.Lock()
_files: dict[int, Any] = {}


def trace_dir() -> str | None:
    return os.environ.get("BLOG_TRACE_DIR") or None


_switch: dict[str, Any] = {"checked": float("-inf"), "on": False, "dir": None}


def tracing_on() -> bool:
    """Are trace records asked for? No record is built if not. The switch file is stat'ed
    at most every SWITCH_CHECK_SECONDS."""
    directory = trace_dir()
    if not directory:
        return False
    now = time.monotonic()
    if now - _switch["checked"] >= SWITCH_CHECK_SECONDS or _switch["dir"] != directory:
        off = os.path.exists(os.path.join(directory, TRACING_OFF_FILE))
        _switch.update(checked=now, on=not off, dir=directory)
    return _switch["on"]


def write_trace(record: dict[str, Any]) -> None:
    """Append one record to this process's trace file (one file per process: no interleaving)."""
    if not tracing_on():
        return
    line = json.dumps(record, separators=(",", ":")) + "\n"
    with _lock:
        handle = _open(record)
        handle.write(line)
        handle.flush()
        if handle.tell() > _max_bytes():
            _rotate(handle)


def _open(record: dict[str, Any]):
    pid = os.getpid()
    handle = _files.get(pid)
    if handle is None:
        directory = trace_dir()
        assert directory is not None  # write_trace writes only while tracing_on()
        Path(directory).mkdir(parents=True, exist_ok=True)
        service = record.get("service", "unknown")
        path = Path(directory, f"{service}-{record.get('role')}-{pid}.jsonl")
        handle = path.open("a")  # kept open for the life of the process
        _files[pid] = handle
    return handle


def _max_bytes() -> int:
    return int(os.environ.get("BLOG_TRACE_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _rotate(handle) -> None:
    """<file>.jsonl becomes <file>.jsonl.old (replacing the older one); a new one is begun."""
    handle.close()
    path = Path(handle.name)
    path.replace(path.with_name(path.name + ".old"))
    _files.pop(os.getpid(), None)
