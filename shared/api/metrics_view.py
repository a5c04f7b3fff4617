"""GET /metrics: this service's Prometheus exposition, for a caller with the internal token.

The view sits in the API (it answers in the API's JSON error shape); what it serves and
the token rule are shared.instrumentation.metrics', which a worker serves too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST

from shared.api.renderers import json_response
from shared.instrumentation import metrics


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics.scrape_allowed(request.headers.get("Authorization", "")):
        response = json_response(metrics.refusal_body(), status=401)
        response["WWW-Authenticate"] = metrics.CHALLENGE
        return response
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
