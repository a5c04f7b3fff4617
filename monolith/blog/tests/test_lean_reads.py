"""The reads DRF does not dispatch (shared/api/lean.py) answer exactly as DRF did: the same
status, headers in the same order and the same bytes, through the whole middleware chain;
and the usual ones really skip DRF's request machinery."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from rest_framework.views import APIView

from shared.api.lean import LeanReadApi

pytestmark = pytest.mark.django_db

ACCEPTS = [None, "*/*", "application/json", "text/html", "application/json; indent=2", ""]
QUERIES = ["", "?limit=1", "?limit=0", "?limit=abc", "?limit=100000", "?format=json", "?x=1"]
REQUEST_ID = "lean-test-1"


def _paths(post_id: int) -> list[str]:
    lists = [f"/api/posts/{query}" for query in QUERIES]
    return [
        *lists,
        f"/api/posts/{post_id}/",
        "/api/posts/987654321/",
        f"/api/posts/{post_id}/comments/",
        "/api/posts/987654321/comments/",
        "/api/posts/99999999999999999999/",
        "/health/",
        "/health/live/",
        "/health/ready/",
    ]


def _answer(method: str, path: str, accept: str | None):
    headers = {"HTTP_X_REQUEST_ID": REQUEST_ID}
    if accept is not None:
        headers["HTTP_ACCEPT"] = accept
    response = getattr(Client(), method)(path, **headers)
    return response.status_code, list(response.items()), response.content


@pytest.fixture
def seeded(make_post, make_comment):
    post = make_post(title='A "quoted" title \u2028 with a separator')
    for content in ("first", "second \u2029", "third"):
        make_comment(post=post, content=content)
    make_post()
    return post.id


def test_every_read_answers_as_drf_does(seeded, monkeypatch):
    cases = list(itertools.product(["get", "head", "options"], _paths(seeded), ACCEPTS))
    lean = {case: _answer(*case) for case in cases}
    monkeypatch.setattr(LeanReadApi, "_lean", lambda self, request, kwargs: False)
    drf = {case: _answer(*case) for case in cases}

    different = [case for case in cases if lean[case] != drf[case]]
    assert different == []
    statuses = {answer[0] for answer in drf.values()}
    assert {200, 400, 404, 406} <= statuses  # the errors are among the cases


def test_the_usual_reads_skip_drf_and_the_rest_do_not(seeded, monkeypatch):
    initial_calls = []
    drf_initial = APIView.initial

    def initial(self, *args, **kwargs):
        initial_calls.append(1)
        return drf_initial(self, *args, **kwargs)

    monkeypatch.setattr(APIView, "initial", initial)
    for path in ("/api/posts/", f"/api/posts/{seeded}/", "/health/live/", "/api/posts/987654321/"):
        assert _answer("get", path, "application/json")[0] in (200, 404)
    assert initial_calls == []

    _answer("get", "/api/posts/", "text/html")  # negotiated by DRF: 406
    _answer("get", "/api/posts/?format=json", None)
    _answer("options", "/api/posts/", None)
    assert len(initial_calls) == 3
