"""Libraries a service process never uses, kept out of its memory.

DRF's compat layer (rest_framework/compat.py) imports requests, markdown and pygments
whenever they are installed: requests for its test client, the other two for the browsable
API's descriptions and highlighting. No service process uses any of them: their calls to
each other go through http.client (shared.api.http), and their API answers JSON. But the
project's environment has requests (the workbench in stacks/ and the tests use it; the
image installs it for the same reason) and the dev tools bring markdown and pygments, so
every web and worker process held them: 8.5 MiB for requests with urllib3,
charset_normalizer and idna, 2.1 for markdown and pygments (docs/cost.md).

A None entry in sys.modules makes `import requests` raise ImportError, which DRF takes for
"not installed" (as shared.settings.environment.keep_postgres_extras_out does for
django.contrib.postgres on SQLite). It is done where a service process starts, before its
app is imported: the gunicorn config (shared.gunicorn_conf, loaded before the arbiter
preloads the app) and the Celery worker's main (shared.messaging.worker). Not in the
settings: the test suites, the launcher and the benchmark load those too, and use requests.
"""

from __future__ import annotations

import sys

UNUSED_IN_SERVICES = ("requests", "markdown", "pygments")


def keep_unused_libraries_out() -> None:
    """Make importing each of UNUSED_IN_SERVICES fail in this process, unless it is loaded
    already (then it stays: whatever loaded it uses it)."""
    for name in UNUSED_IN_SERVICES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: refused
