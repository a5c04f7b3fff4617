"""Internal endpoints (event replay, per-service reads for the study) need a shared token."""

from __future__ import annotations

import hmac

from django.conf import settings
from rest_framework.permissions import BasePermission

INTERNAL_TOKEN_HEADER = "X-Internal-Token"


def is_internal_token(given: str) -> bool:
    """The one comparison with the shared token (constant time): internal endpoints, /metrics."""
    return hmac.compare_digest(given.encode(), settings.INTERNAL_TOKEN.encode())


class HasInternalToken(BasePermission):
    message = "This internal endpoint needs the X-Internal-Token header."

    def has_permission(self, request, view) -> bool:
        return is_internal_token(request.headers.get(INTERNAL_TOKEN_HEADER, ""))
