"""One error shape for every service: {"code", "message", "fields"}, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from shared import rules
from shared.api.renderers import json_response
from shared.error_shape import error_body

logger = logging.getLogger(__name__)


class ServiceUnavailable(exceptions.APIException):
    """A dependency (another service, the broker, a database) cannot be reached."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"

    def __init__(self, service: str, message: str | None = None):
        self.service = service
        super().__init__(message or rules.MSG_SERVICE_UNAVAILABLE.format(service=service))


class PostNotFound(exceptions.NotFound):
    default_detail = rules.MSG_POST_NOT_FOUND


def unavailable_body(service: str, message: str | None = None) -> dict:
    """The 503 body: the error shape plus the service that could not be reached."""
    message = message or rules.MSG_SERVICE_UNAVAILABLE.format(service=service)
    return {**error_body(code="service_unavailable", message=message), "service": service}


def too_large_body(limit: int) -> dict:
    return error_body(
        code="payload_too_large",
        message=rules.MSG_BODY_TOO_LARGE.format(limit=limit),
        fields={"body": [rules.MSG_BODY_TOO_LARGE.format(limit=limit)]},
    )


def _field_messages(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(field): [str(item) for item in (errors if isinstance(errors, list) else [errors])]
            for field, errors in detail.items()
        }
    if isinstance(detail, list):
        return {"body": [str(item) for item in detail]}
    return {"body": [str(detail)]}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF exception handler that renders every error in the shared shape."""
    from django.conf import settings

    if isinstance(exc, RequestDataTooBig):
        return Response(too_large_body(settings.MAX_BODY_BYTES), status=413)
    if isinstance(exc, exceptions.ParseError):
        body = error_body(
            code="malformed_json",
            message=rules.MSG_MALFORMED_JSON,
            fields={"body": [rules.MSG_MALFORMED_JSON]},
        )
        return Response(body, status=400)
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", exc)
        return Response(unavailable_body("database"), status=503, headers={"Retry-After": "1"})
    if isinstance(exc, PostNotFound):
        body = error_body(
            code="not_found", message=str(exc.detail), fields={"post_id": [str(exc.detail)]}
        )
        return Response(body, status=404)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled error in %s", context.get("view"))
        body = error_body(code="server_error", message="Internal server error.")
        return Response(body, status=500)
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_messages(exc.detail)
        first = next(iter(fields.values()))[0] if fields else "Invalid input."
        response.data = error_body(code="invalid", message=first, fields=fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(exc, "default_code", "error")
        if isinstance(exc, Http404):
            code = "not_found"
        if isinstance(exc, ServiceUnavailable):
            response.data = unavailable_body(exc.service, str(detail))
            response["Retry-After"] = "1"
        else:
            response.data = error_body(code=code, message=str(detail))
    return response


def not_found_view(request, exception=None):
    body = error_body(code="not_found", message=f"No such path: {request.path}")
    return json_response(body, status=404)


def server_error_view(request):
    return json_response(
        error_body(code="server_error", message="Internal server error."), status=500
    )


def bad_request_view(request, exception=None):
    return json_response(error_body(code="bad_request", message="Bad request."), status=400)
