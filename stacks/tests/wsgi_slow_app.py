"""A WSGI app for the gunicorn worker's tests: /slow takes SLOW_SECONDS, anything else answers
at once with its path."""

from __future__ import annotations

import time

SLOW_SECONDS = 0.5


def application(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(SLOW_SECONDS)
    body = environ["PATH_INFO"].encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
