"""The internal token: the header that carries it and the one comparison with it.

Below both shared.api (internal endpoints) and shared.instrumentation (/metrics, traces),
so that neither imports the other for it.
"""

from __future__ import annotations

import hmac

from django.conf import settings

INTERNAL_TOKEN_HEADER = "X-Internal-Token"
# The same header as WSGI's environ names it: middleware reads request.META, not
# request.headers, which parses every header of a request into a new mapping on first use.
INTERNAL_TOKEN_META = "HTTP_X_INTERNAL_TOKEN"


def is_internal_token(given: str) -> bool:
    """The one comparison with the shared token (constant time): internal endpoints, /metrics."""
    return hmac.compare_digest(given.encode(), settings.INTERNAL_TOKEN.encode())
