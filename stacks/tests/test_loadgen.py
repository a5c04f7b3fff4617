"""Load generation: client shares, the open-loop schedule and its latency arithmetic, and the
generator processes against a tiny local HTTP server."""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stacks.client import Reply
from stacks.compare import loadgen
from stacks.compare.loadgen import (
    Workload,
    latency_from_schedule,
    open_loop_schedule,
    perform,
    split_evenly,
)


def test_clients_are_shared_evenly_among_generator_processes():
    assert split_evenly(10, 3) == [4, 3, 3]
    assert split_evenly(32, 2) == [16, 16]
    assert split_evenly(1, 2) == [1]  # never an empty process
    assert sum(split_evenly(50, 4)) == 50


def test_the_open_loop_schedule_is_evenly_spaced_at_the_rate():
    schedule = open_loop_schedule(rate=40.0, duration=2.0)
    assert len(schedule) == 80
    assert schedule[0] == 0.0
    gaps = {round(later - earlier, 9) for earlier, later in itertools.pairwise(schedule)}
    assert gaps == {0.025}
    assert open_loop_schedule(rate=0, duration=5) == []


def test_latency_counts_from_the_scheduled_time_not_the_send():
    # Due at 0 s, but every client was busy until 0.5 s; the server took 0.1 s.
    timing = latency_from_schedule(scheduled=10.0, sent=10.5, done=10.6)
    assert timing["ms"] == pytest.approx(600.0)  # what a user waiting since 10.0 saw
    assert timing["service_ms"] == pytest.approx(100.0)  # what a closed loop would report
    assert timing["late_ms"] == pytest.approx(500.0)


def test_a_request_sent_early_is_not_late():
    assert latency_from_schedule(scheduled=1.0, sent=0.999, done=1.01)["late_ms"] == 0.0


class FakeClient:
    """Stands in for BlogClient: answers from a script, records what was asked."""

    def __init__(self, *, comment_status: int = 201):
        self.asked: list[tuple] = []
        self.comment_status = comment_status

    def create_post(self, title):
        self.asked.append(("post", title))
        return Reply(201, {"id": 7, "title": title}, request_id="rid-post")

    def add_comment(self, post_id, content):
        self.asked.append(("comment", post_id, content))
        body = {"id": 70, "status": "pending"} if self.comment_status == 201 else {}
        return Reply(self.comment_status, body, request_id="rid-comment")

    def list_posts(self, *, limit, strategy):
        self.asked.append(("list", limit, strategy))
        return Reply(200, [], request_id="rid-list")


def test_a_pair_comments_on_the_post_it_just_created_and_keeps_the_comment_ids():
    client = FakeClient()
    sample = perform(client, Workload("micro", {}, "pair"), 3)
    assert [entry[0] for entry in client.asked] == ["post", "comment"]
    assert client.asked[1][1] == 7
    assert sample["outcome"] == "ok"
    assert (sample["post_id"], sample["comment_id"], sample["rid"]) == (7, 70, "rid-comment")
    assert sample["returned_at"] <= time.time()


def test_a_failed_action_is_an_outcome_not_a_latency_of_success():
    client = FakeClient(comment_status=503)
    sample = perform(client, Workload("micro", {}, "add comment", post_ids=(1, 2)), 1)
    assert sample["outcome"] == "503"
    assert "rid" not in sample
    assert client.asked[0][1] == 2  # post ids taken round-robin by number


def test_every_fifth_comment_mentions_the_forbidden_word():
    contents = [loadgen.comment_content(number) for number in range(10)]
    assert sum("orange" in content.lower() for content in contents) == 2


def test_the_list_asks_for_the_configured_strategy_and_length():
    client = FakeClient()
    perform(client, Workload("micro", {}, "list", strategy="naive", limit=50), 0)
    assert client.asked == [("list", 50, "naive")]


class RawListClient(FakeClient):
    """A list answered as the keep-alive transport answers it: raw bytes, not yet decoded."""

    def __init__(self):
        super().__init__()
        self.replies: list[Reply] = []

    def list_posts(self, *, limit, strategy):
        reply = Reply(200, None, request_id="rid-list", raw=b'[{"id": 1, "comments": []}]')
        self.replies.append(reply)
        return reply


def test_a_timed_list_is_not_decoded_by_the_load_generator():
    # Parsing the 58 kB list took the generator ~0.4 ms a request, inside the timed window
    # and on the cores the servers use; nothing the closed loop does needs the list's JSON.
    client = RawListClient()
    sample = perform(client, Workload("micro", {}, "list"), 0)
    assert sample["outcome"] == "ok"
    assert [reply.decoded for reply in client.replies] == [False]
    assert client.replies[0].body == [{"id": 1, "comments": []}]  # decoded when read
    assert client.replies[0].decoded


# -- the generator processes, against a real (tiny) HTTP server -------------------------------
class _Handler(BaseHTTPRequestHandler):
    def _answer(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(0.002)
        self._answer(201, {"id": 1, "title": "t"})

    def do_GET(self):
        self._answer(200, [])

    def log_message(self, *args):
        pass


@pytest.fixture
def server_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_closed_loop_over_two_processes_stops_at_its_request_budget(server_url):
    work = Workload("monolith", {"monolith": server_url}, "create post")
    result = loadgen.run_closed_loop(
        work, concurrency=4, duration=5.0, processes=2, max_requests=30
    )
    assert len(result["samples"]) == 30
    assert {sample["outcome"] for sample in result["samples"]} == {"ok"}
    assert result["generator_processes"] == 2
    assert result["elapsed_s"] < 5.0


def test_the_keep_alive_client_decodes_an_answer_when_its_body_is_read(server_url):
    client = loadgen.client("monolith", {"monolith": server_url})
    try:
        reply = client.list_posts(limit=50)
        assert (reply.status, reply.decoded) == (200, False)
        assert reply.body == []
        created = client.create_post("t")
        assert created.body == {"id": 1, "title": "t"}
    finally:
        client.close()


def test_an_open_loop_sends_every_scheduled_request_and_counts_from_the_schedule(server_url):
    work = Workload("monolith", {"monolith": server_url}, "list")
    result = loadgen.run_open_loop(work, rate=50.0, duration=0.4, processes=2)
    samples = result["samples"]
    assert len(samples) == 20
    assert all(s["outcome"] == "ok" for s in samples)
    assert all(s["ms"] >= s["service_ms"] for s in samples)
