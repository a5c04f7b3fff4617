"""Trace records: one JSON line per request or task, so one action's fan-out can be added up.

Written only when BLOG_TRACE_DIR is set (the launcher sets it for study and test runs);
the harness reads them back with stacks.tracing.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_files: dict[int, Any] = {}


def write_trace(record: dict[str, Any]) -> None:
    """Append one record to this process's trace file (one file per process: no interleaving)."""
    directory = os.environ.get("BLOG_TRACE_DIR")
    if not directory:
        return
    pid = os.getpid()
    line = json.dumps(record, separators=(",", ":")) + "\n"
    with _lock:
        handle = _files.get(pid)
        if handle is None:
            Path(directory).mkdir(parents=True, exist_ok=True)
            service = record.get("service", "unknown")
            path = Path(directory, f"{service}-{record.get('role')}-{pid}.jsonl")
            handle = path.open("a")  # kept open for the life of the process
            _files[pid] = handle
        handle.write(line)
        handle.flush()
