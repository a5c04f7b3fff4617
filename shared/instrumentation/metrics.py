"""Prometheus metrics of every web process and worker, and the /metrics view.

Under gunicorn, and with a worker beside the web process, several processes count at
once: prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by the
launcher per service) lets /metrics add them up.
https://prometheus.github.io/client_python/multiprocess/
"""

from __future__ import annotations

import os

from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

HTTP_REQUESTS = Counter(
    "blog_http_requests", "Inbound HTTP requests", ["service", "route", "method", "status"]
)
HTTP_SECONDS = Histogram(
    "blog_http_request_seconds",
    "Time to answer an inbound HTTP request",
    ["service", "route", "method"],
    buckets=LATENCY_BUCKETS,
)
HTTP_CALLS = Counter(
    "blog_http_calls", "Outbound HTTP calls to other services", ["service", "target", "outcome"]
)
SQL_QUERIES = Counter("blog_sql_queries", "SQL queries executed", ["service", "role"])
MESSAGES_PUBLISHED = Counter(
    "blog_messages_published", "Celery messages published", ["service", "task"]
)
MESSAGES_CONSUMED = Counter(
    "blog_messages_consumed", "Celery messages consumed", ["service", "task", "outcome"]
)
TASK_SECONDS = Histogram(
    "blog_task_seconds", "Time to run a Celery task", ["service", "task"], buckets=LATENCY_BUCKETS
)


def metrics_view(request):
    """Prometheus text format; adds up every process of this service in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
