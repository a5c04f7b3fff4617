"""Request ids are echoed when valid and replaced when not; oversized bodies get a 413 first."""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from shared.api.middleware import BodySizeLimitMiddleware
from shared.instrumentation.middleware import RequestIdMiddleware
from shared.instrumentation.tally import REQUEST_ID_HEADER, current_request_id

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def seen_ids() -> list[str | None]:
    return []


@pytest.fixture
def request_id_middleware(seen_ids):
    def view(request):
        seen_ids.append(current_request_id.get())
        return HttpResponse("ok")

    return RequestIdMiddleware(view)


@pytest.mark.parametrize("request_id", ["abc", "req-42_a.b:c", "A" * 64, "7f3e0c2a9b"])
def test_valid_request_id_is_echoed_and_current_during_the_request(
    request_id_middleware, seen_ids, request_id
):
    request = RequestFactory().get("/", headers={REQUEST_ID_HEADER: request_id})

    response = request_id_middleware(request)

    assert response[REQUEST_ID_HEADER] == request_id
    # Set by the middleware; HttpRequest declares no such attribute.
    assert request.request_id == request_id  # type: ignore[attr-defined]
    assert seen_ids == [request_id]


@pytest.mark.parametrize(
    "request_id", ["has space", "A" * 65, "<script>", "id;drop", "ünïcode", "a/b"]
)
def test_invalid_request_id_is_replaced(request_id_middleware, seen_ids, request_id):
    request = RequestFactory().get("/", headers={REQUEST_ID_HEADER: request_id})

    response = request_id_middleware(request)

    assert response[REQUEST_ID_HEADER] != request_id
    assert GENERATED_ID.match(response[REQUEST_ID_HEADER])
    assert seen_ids == [response[REQUEST_ID_HEADER]]


def test_missing_request_id_is_made_up_fresh_each_time(request_id_middleware):
    first = request_id_middleware(RequestFactory().get("/"))[REQUEST_ID_HEADER]
    second = request_id_middleware(RequestFactory().get("/"))[REQUEST_ID_HEADER]

    assert GENERATED_ID.match(first)
    assert first != second


def test_request_id_is_forgotten_after_the_request(request_id_middleware):
    request_id_middleware(RequestFactory().get("/", headers={REQUEST_ID_HEADER: "abc"}))

    assert current_request_id.get() is None


def test_request_id_is_forgotten_even_when_the_view_fails():
    def failing_view(request):
        raise RuntimeError("boom")

    middleware = RequestIdMiddleware(failing_view)

    with pytest.raises(RuntimeError):
        middleware(RequestFactory().get("/", headers={REQUEST_ID_HEADER: "abc"}))
    assert current_request_id.get() is None


@pytest.fixture
def body_limit_middleware(settings):
    settings.MAX_BODY_BYTES = 10
    return BodySizeLimitMiddleware(lambda request: HttpResponse("passed"))


def test_body_over_the_limit_is_413_before_the_view(body_limit_middleware):
    request = RequestFactory().post("/", "x" * 11, content_type="application/json")

    response = body_limit_middleware(request)

    assert response.status_code == 413
    body = json.loads(response.content)
    assert body["code"] == "payload_too_large"
    assert list(body["fields"]) == ["body"]


def test_body_at_the_limit_reaches_the_view(body_limit_middleware):
    request = RequestFactory().post("/", "x" * 10, content_type="application/json")

    assert body_limit_middleware(request).content == b"passed"


@pytest.mark.parametrize("length", ["", "not-a-number"])
def test_body_without_a_usable_length_reaches_the_view(body_limit_middleware, length):
    request = RequestFactory().post("/", "{}", content_type="application/json")
    request.META["CONTENT_LENGTH"] = length

    assert body_limit_middleware(request).content == b"passed"


def test_request_id_is_echoed_through_the_whole_stack(client, db):
    response = client.get("/health/", headers={REQUEST_ID_HEADER: "trace-1"})

    assert response[REQUEST_ID_HEADER] == "trace-1"


def test_request_id_is_set_on_a_413_too(client, settings):
    response = client.post(
        "/api/posts/",
        "x" * (settings.MAX_BODY_BYTES + 1),
        content_type="application/json",
        headers={REQUEST_ID_HEADER: "big-1"},
    )

    assert response.status_code == 413
    assert response[REQUEST_ID_HEADER] == "big-1"


class CountingStream(BytesIO):
    """wsgi.input that remembers how many bytes were read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def _chunked_request(body: bytes, *, terminated: bool = True):
    request = RequestFactory().post("/", content_type="application/json")
    stream = CountingStream(body)
    del request.META["CONTENT_LENGTH"]
    request.META.update(
        {"wsgi.input": stream, "HTTP_TRANSFER_ENCODING": "chunked"},
        **({"wsgi.input_terminated": True} if terminated else {}),
    )
    return request, stream


def test_chunked_body_over_the_limit_is_413_after_reading_one_byte_past_it(body_limit_middleware):
    request, stream = _chunked_request(b"x" * 1000)

    response = body_limit_middleware(request)

    assert response.status_code == 413
    assert json.loads(response.content)["code"] == "payload_too_large"
    assert stream.bytes_read == 11


def test_chunked_body_within_the_limit_reaches_the_view_with_its_length(settings):
    settings.MAX_BODY_BYTES = 10
    seen: dict[str, object] = {}

    def view(request):
        seen.update(body=request.body, length=request.META["CONTENT_LENGTH"])
        return HttpResponse("passed")

    request, _ = _chunked_request(b'{"a": 1}')

    assert BodySizeLimitMiddleware(view)(request).content == b"passed"
    assert seen == {"body": b'{"a": 1}', "length": "8"}


def test_chunked_body_is_left_unread_when_the_server_does_not_terminate_input(
    body_limit_middleware,
):
    request, stream = _chunked_request(b"x" * 1000, terminated=False)

    assert body_limit_middleware(request).content == b"passed"
    assert stream.bytes_read == 0


def test_the_api_path_runs_none_of_the_admins_middleware(client, db):
    response = client.get("/api/posts/")

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers  # XFrameOptionsMiddleware did not run
    assert "Cookie" not in response.headers.get("Vary", "")  # nor sessions or auth
    assert not response.cookies


def test_the_admin_path_runs_the_admins_middleware(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "csrftoken" in response.cookies  # CSRF middleware set its cookie


def test_an_answer_to_head_has_the_headers_of_get_and_no_body():
    def view(request):
        response = HttpResponse(b'{"ok": true}', content_type="application/json")
        response["Content-Length"] = "12"
        return response

    response = BodySizeLimitMiddleware(view)(RequestFactory().head("/health/"))

    assert response.content == b""
    assert response["Content-Length"] == "12"


@pytest.fixture
def fault_file_stats(study_fault_file, monkeypatch) -> list[str]:
    """Each look at the fault file (an os.stat of it), as it happens."""
    from shared import study

    stats: list[str] = []
    real_stat = study.os.stat

    def counted_stat(path, **kwargs):
        if str(path) == str(study_fault_file):
            stats.append(path)
        return real_stat(path, **kwargs)

    monkeypatch.setattr(study.os, "stat", counted_stat)
    return stats


def test_a_request_reads_the_fault_file_once_and_keeps_what_it_found(
    study_fault_file, fault_file_stats
):
    """Its SQL statements and its relay ask the fault the request started with: one stat a
    request, not one per statement; a fault injected meanwhile applies from the next."""
    from shared import study
    from shared.api.middleware import FaultMiddleware

    stats = fault_file_stats
    seen: list[object] = []

    def view(request):
        for _ in range(5):  # as five SQL statements do (refuse_queries_while_database_down)
            seen.append(study.current_fault())
        study_fault_file.write_text(json.dumps({"fail_status": 503}))  # injected mid-request
        seen.append(study.current_fault())
        return HttpResponse("ok")

    middleware = FaultMiddleware(view)
    assert middleware(RequestFactory().get("/api/posts/")).status_code == 200
    assert (seen, len(stats)) == ([None] * 6, 1)

    assert middleware(RequestFactory().get("/api/posts/")).status_code == 503  # the next one


def test_a_task_reads_the_fault_file_once_and_keeps_what_it_found(
    study_fault_file, fault_file_stats
):
    """As a request: a task's SQL statements ask the fault the task started with (one stat
    a task, not one per statement); a fault injected meanwhile applies from the next task."""
    from celery import Celery

    from shared import study
    from shared.instrumentation import celery_signals

    app = Celery("fault-test", set_as_current=False)

    @app.task(name="query.handle_events")
    def handle_events(messages):
        return True

    stats = fault_file_stats

    def run_task(task_id: str) -> list[study.Fault | None]:
        celery_signals._begin_task(task_id=task_id, task=handle_events, args=[[]])
        try:
            seen = [study.current_fault() for _ in range(5)]  # as five SQL statements do
            study_fault_file.write_text(json.dumps({"database_down": True}))  # injected now
            seen.append(study.current_fault())
        finally:
            celery_signals._end_task(task_id=task_id, task=handle_events, state="SUCCESS")
        return seen

    assert (run_task("task-1"), len(stats)) == ([None] * 6, 1)
    stats.clear()
    [fault, *_] = run_task("task-2")  # the next task meets it
    assert fault is not None and fault.database_down
    assert len(stats) == 1
