"""Middleware every deployable runs: request ids, and a body size limit enforced before parsing."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.http import JsonResponse

from shared.api.errors import too_large_body

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


class RequestIdMiddleware:
    """Take the caller's X-Request-ID (or make one) and echo it, so one action's
    fan-out across services can be attributed to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


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
