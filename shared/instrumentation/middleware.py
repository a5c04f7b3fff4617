"""Per-request instrumentation: the request id, the action's tally, metrics and a trace record."""

from __future__ import annotations

import re
import time
import uuid

from django.conf import settings

from shared.instrumentation import metrics, tally
from shared.instrumentation.trace import tracing_on, write_trace
from shared.internal_token import INTERNAL_TOKEN_META

REQUEST_ID_HEADER = tally.REQUEST_ID_HEADER
# The headers as WSGI's environ names them: read from request.META, not request.headers,
# which parses every header of the request into a new mapping the first time it is used
# (about a tenth of an API request's time in Django, cProfile of GET /health/live/).
_REQUEST_ID_META = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Probes and scrapes are not user actions: no tally, no trace, no metrics.
UNTRACED_PATHS = ("/health/", "/metrics")


class RequestIdMiddleware:
    """Take the caller's X-Request-ID (or make one), echo it, and tally what the request
    cost in this process: SQL queries, calls to other services, messages published."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get(_REQUEST_ID_META, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        action, tokens = tally.begin(request_id)
        try:
            response = self.get_response(request)
        finally:
            tally.end(tokens)
        response[REQUEST_ID_HEADER] = request_id
        if not request.path.startswith(UNTRACED_PATHS):
            _record(request, response, action)
        return response


def _record(request, response, action: tally.ActionTally) -> None:
    service = settings.SERVICE_NAME
    match = getattr(request, "resolver_match", None)
    route = f"/{match.route}" if match else "unmatched"
    seconds = action.elapsed_ms() / 1000
    metrics.HTTP_REQUESTS.labels(service, route, request.method, str(response.status_code)).inc()
    metrics.HTTP_SECONDS.labels(service, route, request.method).observe(seconds)
    if not tracing_on():  # not asked for: no record is even built
        return
    write_trace(
        {
            "rid": action.request_id,
            "service": service,
            "role": "web",
            "kind": "http",
            "name": f"{request.method} {route}",
            "status": response.status_code,
            "internal": INTERNAL_TOKEN_META in request.META,
            "sql": action.sql_queries,
            "calls_out": action.calls_out,
            "published": action.published,
            "handed_off": action.handed_off,
            "consumed": 0,
            "ms": round(seconds * 1000, 3),
            "at": time.time(),
        }
    )
