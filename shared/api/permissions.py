"""Internal endpoints (event replay, per-service reads for the study) need a shared token."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from shared.internal_token import INTERNAL_TOKEN_HEADER, is_internal_token


class HasInternalToken(BasePermission):
    message = "This internal endpoint needs the X-Internal-Token header."

    def has_permission(self, request, view) -> bool:
        return is_internal_token(request.headers.get(INTERNAL_TOKEN_HEADER, ""))
