"""Every log line names its action: request id (and event id in workers), JSON on request."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from celery import Celery
from django.core.exceptions import ImproperlyConfigured

from shared.instrumentation import celery_signals, logs, tally


@pytest.fixture
def log_stream():
    """The root logger configured as a deployable's LOGGING, writing into a buffer."""
    stream = io.StringIO()

    def configure(log_format: str) -> io.StringIO:
        logging.config.dictConfig(logs.logging_config(log_format=log_format, level="INFO"))
        handler = logging.getLogger().handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        return stream

    yield configure
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def test_a_json_line_carries_the_request_and_event_ids(log_stream):
    stream = log_stream("json")
    _, tokens = tally.begin("req-42")
    event_token = logs.current_event_id.set("0b6e1c9e-7f6e-4c55-9d1a-3a0f8f2d9c11")
    try:
        logging.getLogger("blog.test").info("comment %s moderated", 7)
    finally:
        logs.current_event_id.reset(event_token)
        tally.end(tokens)
    logging.getLogger("blog.test").warning("outside any action")

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "comment 7 moderated"
    assert (first["request_id"], first["event_id"]) == (
        "req-42",
        "0b6e1c9e-7f6e-4c55-9d1a-3a0f8f2d9c11",
    )
    assert (first["level"], first["logger"], first["service"]) == ("INFO", "blog.test", "monolith")
    assert (second["request_id"], second["event_id"]) == ("-", "-")


def test_a_plain_line_carries_the_request_id(log_stream):
    stream = log_stream("plain")
    _, tokens = tally.begin("req-7")
    try:
        logging.getLogger("blog.test").info("hello")
    finally:
        tally.end(tokens)

    assert "[rid=req-7 event=-] hello" in stream.getvalue()


def test_an_unknown_log_format_is_refused_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        logs.logging_config(log_format="xml", level="INFO")


def test_a_task_names_its_event_while_it_runs_and_not_after():
    app = Celery("log-test", set_as_current=False)

    @app.task(name="comments.handle_event")
    def handle_event(message):
        return True

    event = {"id": "5f0c2d1e-8a7b-4c3d-9e2f-1a0b9c8d7e6f", "type": "CommentCreated"}
    celery_signals._begin_task(task_id="task-1", task=handle_event, args=[event])
    during = (logs.current_event_id.get(), tally.current_request_id.get())
    celery_signals._end_task(task_id="task-1", task=handle_event, state="SUCCESS")

    assert during == (event["id"], "task-1")
    assert logs.current_event_id.get() is None
    assert logs.event_id_of("not an event") is None
