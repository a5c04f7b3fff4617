"""How each web service is served: how many gunicorn processes, how many threads each.

Each web service serves eight requests at once. The two that answer the public reads, the
monolith and query, as two gunicorn processes of four threads: one process is one GIL, and
in `compare` query's list at 8 clients served 445-474 req/s from two processes against 241
from one (2-core machine; docs/speed.md). Every other micro service as one process of
eight threads: its requests (writes, internal reads, health) do not fill one core at the
benchmark's loads, and a second process held 80 MiB more of micro's PSS after load for
no gain (docs/cost.md, "One web process where one does").

The launcher (stacks/launcher/processes.py) and the container image
(deploy/docker-entrypoint.sh, `python -m shared.web_shape <service>`) both ask here; each
takes an override, BLOG_WEB_WORKERS / BLOG_WEB_THREADS in the launcher, gunicorn's
WEB_CONCURRENCY / WEB_THREADS in the image. Only the standard library: the entrypoint runs
this before anything else.
"""

from __future__ import annotations

import os
import sys

REQUESTS_AT_ONCE = 8
READ_SERVICES = ("monolith", "query")


def web_shape(
    service: str, *, workers: str | int | None = None, threads: str | int | None = None
) -> tuple[int, int]:
    """(gunicorn processes, threads each) of a service's web process; `workers` and
    `threads`, when given (an environment variable's value, so possibly ""), win."""
    processes = int(workers or (2 if service in READ_SERVICES else 1))
    return processes, int(threads or REQUESTS_AT_ONCE // processes)


if __name__ == "__main__":
    shape = web_shape(
        sys.argv[1],
        workers=os.environ.get("WEB_CONCURRENCY"),
        threads=os.environ.get("WEB_THREADS"),
    )
    print(*shape)
