"""A worker's own /metrics over HTTP, where no web process shares its metrics folder.

Under the launcher a service's web process and worker count in one PROMETHEUS_MULTIPROC_DIR,
so the web process's /metrics covers both. In containers (compose, Kubernetes) the worker
runs alone: with WORKER_METRICS_PORT set it serves the same exposition itself, from its
own multiprocess folder, under the same token rule (metrics.scrape_allowed).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CONTENT_TYPE_LATEST

from shared.instrumentation import metrics

logger = logging.getLogger(__name__)
# Where compose and Kubernetes run it (deploy/ sets WORKER_METRICS_PORT to this).
CONTAINER_PORT = 9464
# Loopback unless told otherwise: the container entrypoint sets 0.0.0.0.
DEFAULT_HOST = "127.0.0.1"


def metrics_app(environ, start_response):
    """WSGI: GET /metrics with the token; 401 without it; 404 for any other path."""
    if environ.get("PATH_INFO") != "/metrics":
        start_response("404 Not Found", [("Content-Type", "application/json")])
        body = {"code": "not_found", "message": "Only /metrics here.", "fields": {}}
        return [json.dumps(body).encode()]
    if not metrics.scrape_allowed(environ.get("HTTP_AUTHORIZATION", "")):
        headers = [("Content-Type", "application/json"), ("WWW-Authenticate", metrics.CHALLENGE)]
        start_response("401 Unauthorized", headers)
        return [json.dumps(metrics.refusal_body()).encode()]
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [metrics.exposition()]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args) -> None:
        """Scrapes every few seconds would flood the worker's log."""


def serve_worker_metrics() -> WSGIServer | None:
    """Serve /metrics on WORKER_METRICS_HOST:WORKER_METRICS_PORT from a daemon thread, when
    the port is set. A port already taken is logged, not fatal: the worker still works."""
    port = os.environ.get("WORKER_METRICS_PORT", "")
    if not port:
        return None
    host = os.environ.get("WORKER_METRICS_HOST") or DEFAULT_HOST
    try:
        server = make_server(
            host, int(port), metrics_app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
    except (OSError, ValueError) as error:
        logger.error("worker metrics: cannot listen on %s:%s (%s)", host, port, error)
        return None
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    logger.info("worker metrics on http://%s:%s/metrics", host, port)
    return server
