"""Prometheus metrics of every web process and worker, and the one rule for reading them.

Under gunicorn, and with a worker beside the web process, several processes count at
once: prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by the
launcher per service) lets /metrics add them up.
https://prometheus.github.io/client_python/multiprocess/

/metrics tells anyone who reads it how much traffic each route and task gets, so it is an
internal endpoint: it needs the internal token, as Prometheus sends it with
`authorization: {credentials: <INTERNAL_TOKEN>}` (`Authorization: Bearer <token>`), always,
in development too (a launched stack's token is in <run dir>/internal_token; a service
started by hand without INTERNAL_TOKEN uses shared.settings.environment.DEV_INTERNAL_TOKEN).
A web process serves it with shared.api.metrics_view, a lone worker with worker_metrics.
"""

from __future__ import annotations

import os

from django.conf import settings
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from shared.deployables import queue_services
from shared.error_shape import error_body
from shared.internal_token import is_internal_token

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
# An event handed to the event bus once more, by why (shared.messaging.publish.RESENT):
# only a loss may cause one (issue 11); the overload phase of `compare` reports them.
EVENTS_RESENT = Counter(
    "blog_events_resent", "Events sent to the event bus again, by reason", ["service", "reason"]
)
# A copy the event store dropped (it held the event already), by the producer that sent it.
EVENTS_DUPLICATE = Counter(
    "blog_events_duplicate", "Events the event store already held", ["service", "source"]
)
TASK_SECONDS = Histogram(
    "blog_task_seconds", "Time to run a Celery task", ["service", "task"], buckets=LATENCY_BUCKETS
)


AUTHORIZATION_SCHEME = "Bearer"
MSG_METRICS_NEED_TOKEN = (
    "/metrics needs the internal token: Authorization: Bearer <INTERNAL_TOKEN>."
)
CHALLENGE = f'{AUTHORIZATION_SCHEME} realm="metrics"'


def scrape_allowed(authorization: str) -> bool:
    """The one rule for /metrics, a web process's and a worker's: `Bearer <INTERNAL_TOKEN>`."""
    scheme, _, token = authorization.strip().partition(" ")
    return scheme.lower() == AUTHORIZATION_SCHEME.lower() and is_internal_token(token.strip())


def refusal_body() -> dict:
    return error_body(code="not_authenticated", message=MSG_METRICS_NEED_TOKEN)


class QueueDepthCollector:
    """`blog_queue_depth{queue}`: the messages waiting on this service's own queue, read from
    the broker at scrape time (LLEN), so that an autoscaler or an alert sees a backlog grow
    (the KEDA overlay reads the same list). Absent when the service has no queue or the
    broker does not answer within a second: a scrape never waits on a stopped Redis."""

    def collect(self):
        queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None)
        if queue not in queue_services():
            return
        import redis

        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1
        )
        try:
            depth = client.llen(queue)
        except (redis.RedisError, OSError):
            return
        finally:
            client.close()
        family = GaugeMetricFamily(
            "blog_queue_depth", "Messages waiting on the service's queue", labels=["queue"]
        )
        family.add_metric([queue], depth)
        yield family


def exposition() -> bytes:
    """Prometheus text format; adds up every process of this service in multiprocess mode."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry) + generate_latest(_queue_depth_registry)


_queue_depth_registry = CollectorRegistry()
_queue_depth_registry.register(QueueDepthCollector())
