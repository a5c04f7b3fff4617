"""A read answered without DRF's request machinery when DRF would do nothing with it.

For a GET (or HEAD) of a view with no authentication, permission, throttle or versioning
class, asking for JSON the usual way (no Accept header, `*/*` or `application/json`; no
`?format=` and no format suffix: the cases shared.api.negotiation answers without
negotiating), everything `APIView.dispatch` does before and after the handler changes
nothing in the answer: the request wrapper, `initial()` (authentication gives None,
nothing to permit, throttle or version, negotiation picks the one JSON renderer) and the
`Response` (a TemplateResponse, rendered later by the same renderer). A `LeanReadApi`
then calls its `read()` with Django's request and writes the answer itself: the
renderer's bytes (`render_json`, what OrjsonRenderer writes without an indent), its
Content-Type and the view's `default_response_headers` (Allow), in DRF's order. Every
other request, and any exception `read()` raises, goes through DRF as before (the
exception through the view's own `handle_exception`, so errors keep their shape).

The handlers stay (drf-spectacular documents `get`, and a request DRF serves calls it):
`get()` returns `self.drf_answer(request, ...)`, the `Response` of the same `read()`.
monolith/blog/tests/test_lean_reads.py proves both ways answer the same status, headers
(in order) and bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.api.negotiation import USUAL_ACCEPT, JsonFirstContentNegotiation
from shared.api.renderers import OrjsonRenderer, render_json

LEAN_METHODS = frozenset({"GET", "HEAD"})


class LeanReadApi(APIView):
    # read(request, **url_kwargs) -> (data, status): `request` is Django's request or DRF's
    # (both have `.GET`); it raises as a DRF handler would (NotFound, ValidationError...).
    read: Callable[..., tuple[Any, int]]

    def drf_answer(self, request, **kwargs) -> Response:
        """What the handler (`get`) returns when DRF dispatches the request."""
        data, status = self.read(request, **kwargs)
        return Response(data, status=status)

    def dispatch(self, request, *args, **kwargs):
        if not self._lean(request, kwargs):
            return super().dispatch(request, *args, **kwargs)
        self.args, self.kwargs, self.request = args, kwargs, request
        self.headers = self.default_response_headers
        try:
            data, status = self.read(request, **kwargs)
        except Exception as exc:  # answered exactly as DRF's dispatch would
            return self._drf_exception(request, exc, args, kwargs)
        response = HttpResponse(render_json(data), status=status, content_type="application/json")
        for key, value in self.headers.items():
            response[key] = value
        return response

    def _lean(self, request, kwargs) -> bool:
        return (
            request.method in LEAN_METHODS
            and request.META.get("HTTP_ACCEPT") in USUAL_ACCEPT
            and not self.authentication_classes
            and not self.permission_classes
            and not self.throttle_classes
            and self.versioning_class is None
            and self.content_negotiation_class is JsonFirstContentNegotiation
            and len(self.renderer_classes) == 1
            and self.renderer_classes[0] is OrjsonRenderer
            and self.settings.FORMAT_SUFFIX_KWARG not in kwargs
            and self.settings.URL_FORMAT_OVERRIDE not in request.GET
        )

    def _drf_exception(self, request, exc, args, kwargs):
        """What APIView.dispatch answers when its handler raises `exc`."""
        self.request = self.initialize_request(request, *args, **kwargs)
        response = self.handle_exception(exc)
        self.response = self.finalize_response(self.request, response, *args, **kwargs)
        return self.response
