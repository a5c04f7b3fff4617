"""Middleware every deployable runs: a body size limit enforced before parsing, no body
on an answer to HEAD, the faults injected for study, the admin's middleware on the admin's
paths only, and internal calls marked as the HTTPS they stand for."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings

from shared import study
from shared.api.errors import error_body, too_large_body
from shared.api.permissions import is_internal_token
from shared.api.renderers import json_response
from shared.internal_token import INTERNAL_TOKEN_META


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
            return json_response(too_large_body(limit), status=413)
        response = self.get_response(request)
        if request.method == "HEAD":
            _drop_body(response)
        return response


def _drop_body(response) -> None:
    """HEAD gets the GET's headers (Content-Length too) and no body. Django's WSGI handler
    sends the body anyway, and gunicorn then logs a WARNING for every HEAD request."""
    if response.streaming:
        response.streaming_content = ()
    else:
        response.content = b""


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


class FaultMiddleware:
    """Slow down or fail every request except the health check, while a fault is injected
    (shared.study)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with study.fault_held():  # the file is read once per request
            fault = study.current_fault()
            if fault is None or request.path.startswith("/health/"):
                return self.get_response(request)
            study.apply_delay()
            if fault.fail_status:
                body = error_body(code="injected_fault", message=study.MSG_INJECTED_FAULT)
                return json_response(body, status=fault.fail_status)
            return self.get_response(request)


# The paths a browser uses (the admin and its assets): only they run sessions, CSRF,
# auth, messages and the rest of BROWSER_MIDDLEWARE. The API needs none of it.
BROWSER_PATH_PREFIXES = ("/admin/", "/static/")


class BrowserOnlyMiddleware:
    """Run settings.BROWSER_MIDDLEWARE (WhiteNoise, sessions, CSRF, auth, messages, frame
    options) for the admin's paths only, and skip it for everything else.

    That chain cost an API request about a third of its time (py-spy on GET /health/, see
    docs/speed.md). A request another handler marks with
    `request.needs_browser_middleware = True` (the lab page) gets the chain too. The
    admin's views are csrf_protect'ed themselves, so no process_view hook is lost.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.browser_chain = _chain(settings.BROWSER_MIDDLEWARE, get_response)

    def __call__(self, request):
        if request.path.startswith(BROWSER_PATH_PREFIXES) or getattr(
            request, "needs_browser_middleware", False
        ):
            return self.browser_chain(request)
        return self.get_response(request)


def _chain(paths: list[str], get_response):
    """Middleware wrapped as Django's handler wraps MIDDLEWARE (an exception in one
    becomes a response for the one outside it)."""
    from django.core.handlers.exception import convert_exception_to_response
    from django.utils.module_loading import import_string

    handler = convert_exception_to_response(get_response)
    for path in reversed(paths):
        handler = convert_exception_to_response(import_string(path)(handler))
    return handler


class InternalHopMiddleware:
    """A call from another service (it carries the internal token) comes over the cluster's
    own network, never through the TLS ingress: it counts as HTTPS, so that production's
    SSL redirect, meant for browsers, does not bounce the aggregator's reads of posts and
    comments. A request without the token is left as it came."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request.META.get(INTERNAL_TOKEN_META)
        if token and settings.SECURE_PROXY_SSL_HEADER and is_internal_token(token):
            header, secure = settings.SECURE_PROXY_SSL_HEADER
            request.META[header] = secure
        return self.get_response(request)
