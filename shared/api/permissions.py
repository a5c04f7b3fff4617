"""Internal endpoints (event replay, per-service reads for the study) need a shared token."""

from __future__ import annotations

import hmac

from django.conf import settings
from rest_framework.permissions import BasePermission

INTERNAL_TOKEN_HEADER = "X-Internal-Token"


class HasInternalToken(BasePermission):
    message = "This internal endpoint needs the X-Internal-Token header."

    def has_permission(self, request, view) -> bool:
        given = request.headers.get(INTERNAL_TOKEN_HEADER, "")
        return hmac.compare_digest(given.encode(), settings.INTERNAL_TOKEN.encode())
