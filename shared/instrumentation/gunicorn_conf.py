"""Gunicorn settings the launcher (and the container image) use for every web process.

The access log goes to stdout with each request's id (the X-Request-ID the response
carries), one JSON object a line when LOG_FORMAT=json. BLOG_ACCESS_LOG=off turns it off
(the launcher does unless asked: the benchmark measures the stacks, not a log line).
https://docs.gunicorn.org/en/stable/settings.html#access-log-format
"""

import os

from prometheus_client import multiprocess

PLAIN_ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'
JSON_ACCESS_FORMAT = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "remote": "%(h)s", '
    '"method": "%(m)s", "path": "%(U)s", "query": "%(q)s", "status": %(s)s, "bytes": "%(b)s", '
    '"ms": %(M)s, "request_id": "%({x-request-id}o)s", "user_agent": "%(a)s"}'
)

accesslog = None if os.environ.get("BLOG_ACCESS_LOG", "-") == "off" else "-"
access_log_format = (
    JSON_ACCESS_FORMAT if os.environ.get("LOG_FORMAT") == "json" else PLAIN_ACCESS_FORMAT
)


def child_exit(server, worker) -> None:
    """Tell prometheus-client a worker is gone, so its live gauges are dropped."""
    multiprocess.mark_process_dead(worker.pid)
