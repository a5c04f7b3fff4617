"""The negotiation shortcut answers exactly as DRF's DefaultContentNegotiation."""

from __future__ import annotations

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from shared.api.negotiation import JsonFirstContentNegotiation
from shared.api.renderers import OrjsonRenderer

ACCEPTS = [
    None, "*/*", "application/json", "", "application/*", "text/html", "application/xml",
    "application/json; indent=4", "text/html, */*;q=0.8", "application/json;q=0.5, */*",
]  # fmt: skip
RENDERER_SETS = [[OrjsonRenderer()], [OrjsonRenderer(), BrowsableAPIRenderer()]]


def _answer(negotiation, renderers, accept, query):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/posts/{query}", **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except NotAcceptable:
        return "406"
    except Http404:  # ?format= naming no renderer
        return "404"
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("renderers", RENDERER_SETS, ids=["json", "json+browsable"])
@pytest.mark.parametrize("query", ["", "?limit=5", "?format=json", "?format=api"])
@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_shortcut_answers_as_drf_does(renderers, query, accept):
    assert _answer(JsonFirstContentNegotiation(), renderers, accept, query) == _answer(
        DefaultContentNegotiation(), renderers, accept, query
    )
