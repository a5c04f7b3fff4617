"""Middleware every deployable runs: a body size limit enforced before parsing."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse

from shared.api.errors import too_large_body


class BodySizeLimitMiddleware:
    """Answer 413 with the JSON error body when the declared body is over the limit.

    Bodies whose length is not declared are not read by Django's WSGI handler at all;
    a body over DATA_UPLOAD_MAX_MEMORY_SIZE read some other way raises RequestDataTooBig,
    which the API's exception handler also turns into 413.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_BODY_BYTES:
            return JsonResponse(too_large_body(settings.MAX_BODY_BYTES), status=413)
        return self.get_response(request)
