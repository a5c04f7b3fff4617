"""Middleware every deployable runs: a body size limit enforced before parsing, and internal
calls marked as the HTTPS they stand for."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.http import JsonResponse

from shared.api.errors import too_large_body
from shared.api.permissions import INTERNAL_TOKEN_HEADER, is_internal_token


class BodySizeLimitMiddleware:
    """Answer 413 with the JSON error body when the body is over the limit, before parsing.

    A declared Content-Length over the limit is refused without reading the body. A body
    without one (Transfer-Encoding: chunked) is one Django would silently ignore; when the
    server says its input ends with the body (gunicorn sets wsgi.input_terminated), it is
    read here up to one byte past the limit: over it is a 413, within it the request goes on
    with that body and its length. A body over DATA_UPLOAD_MAX_MEMORY_SIZE read some other
    way raises RequestDataTooBig, which the API's exception handler also turns into 413.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_BODY_BYTES
        length = _declared_length(request)
        if length is None and _is_chunked(request):
            body = _read_at_most(request.META["wsgi.input"], limit + 1)
            length = len(body)
            if length <= limit:
                request.META["CONTENT_LENGTH"] = str(length)
                request._stream = BytesIO(body)  # as Django's own HttpRequest.body does
        if length is not None and length > limit:
            return JsonResponse(too_large_body(limit), status=413)
        return self.get_response(request)


def _declared_length(request) -> int | None:
    try:
        return int(request.META["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        return None


def _is_chunked(request) -> bool:
    encoding = request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return "chunked" in encoding and bool(request.META.get("wsgi.input_terminated"))


def _read_at_most(stream, size: int) -> bytes:
    body = b""
    while len(body) < size:
        chunk = stream.read(size - len(body))
        if not chunk:
            break
        body += chunk
    return body


class InternalHopMiddleware:
    """A call from another service (it carries the internal token) comes over the cluster's
    own network, never through the TLS ingress: it counts as HTTPS, so that production's
    SSL redirect, meant for browsers, does not bounce the aggregator's reads of posts and
    comments. A request without the token is left as it came."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request.headers.get(INTERNAL_TOKEN_HEADER)
        if token and settings.SECURE_PROXY_SSL_HEADER and is_internal_token(token):
            header, secure = settings.SECURE_PROXY_SSL_HEADER
            request.META[header] = secure
        return self.get_response(request)
