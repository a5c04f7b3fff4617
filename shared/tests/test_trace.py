"""Trace records: written when asked for, none at all when tracing is off, files bounded."""

from __future__ import annotations

import json

import pytest

from shared.instrumentation import trace
from stacks.tracing import read_records


@pytest.fixture
def trace_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BLOG_TRACE_DIR", str(tmp_path))
    monkeypatch.setattr(trace, "_files", {})
    monkeypatch.setattr(trace, "SWITCH_CHECK_SECONDS", 0)  # see the switch at once
    return tmp_path


def _records(trace_dir) -> list[dict]:
    return [json.loads(line) for path in trace_dir.glob("*.jsonl*") for line in path.open()]


def test_each_api_request_writes_one_trace_record(client, db, trace_dir):
    client.get("/api/posts/", headers={"X-Request-ID": "traced-1"})

    assert [record["rid"] for record in _records(trace_dir)] == ["traced-1"]


def test_tracing_off_writes_no_trace_records(client, db, trace_dir):
    (trace_dir / trace.TRACING_OFF_FILE).touch()

    for number in range(3):
        assert (
            client.get("/api/posts/", headers={"X-Request-ID": f"off-{number}"}).status_code == 200
        )

    assert _records(trace_dir) == []
    assert not list(trace_dir.glob("*.jsonl"))


def test_tracing_back_on_writes_again(client, db, trace_dir):
    switch = trace_dir / trace.TRACING_OFF_FILE
    switch.touch()
    client.get("/api/posts/", headers={"X-Request-ID": "while-off"})
    switch.unlink()
    client.get("/api/posts/", headers={"X-Request-ID": "back-on"})

    assert [record["rid"] for record in _records(trace_dir)] == ["back-on"]


def test_the_switch_is_looked_at_no_more_often_than_its_interval(trace_dir, monkeypatch):
    monkeypatch.setattr(trace, "SWITCH_CHECK_SECONDS", 60)
    monkeypatch.setattr(trace, "_switch", {"checked": float("-inf"), "on": False, "dir": None})
    assert trace.tracing_on()
    (trace_dir / trace.TRACING_OFF_FILE).touch()
    assert trace.tracing_on()  # not looked at again yet
    monkeypatch.setattr(trace, "SWITCH_CHECK_SECONDS", 0)
    assert not trace.tracing_on()


def test_a_trace_file_is_rotated_at_its_size_limit(trace_dir, monkeypatch):
    monkeypatch.setenv("BLOG_TRACE_MAX_BYTES", "1000")
    for number in range(100):  # about 6 KB of records
        trace.write_trace({"rid": f"r{number}", "service": "test", "role": "web"})

    files = {path.name: path.stat().st_size for path in trace_dir.iterdir()}
    assert len(files) == 2  # the current file and one older generation
    assert all(size <= 1000 + 100 for size in files.values())


def test_the_reader_sees_new_records_and_a_rotated_file(trace_dir, monkeypatch):
    monkeypatch.setenv("BLOG_TRACE_MAX_BYTES", "300")
    trace.write_trace({"rid": "a", "service": "test", "role": "web"})
    assert len(read_records(trace_dir, "a")) == 1
    for number in range(20):  # rotates several times
        trace.write_trace({"rid": "b", "service": "test", "role": "web", "n": number})
    trace.write_trace({"rid": "a", "service": "test", "role": "web"})

    assert len(read_records(trace_dir, "a")) == 2
