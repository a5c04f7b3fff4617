"""The Python floor of one response: a bare WSGI app that answers every request with the
bytes of BLOG_FLOOR_BODY_FILE, read once at start (no Django, no database).

Run by the benchmark under the same gunicorn command and config as every web service
(stacks.launcher.processes.gunicorn_command), so the gap between it and a service's
latency is what Django, the database and the service's own code add.
"""

from __future__ import annotations

import os
from pathlib import Path

BODY = Path(os.environ["BLOG_FLOOR_BODY_FILE"]).read_bytes()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
