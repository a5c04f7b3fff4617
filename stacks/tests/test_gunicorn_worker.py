"""The services' gunicorn worker (shared.gunicorn_worker) under the services' own gunicorn
command: a pool thread that keeps a busy kept-alive connection still keeps every connection
alive, makes no connection wait behind another, and stops gracefully."""

from __future__ import annotations

import os
import threading
import time

import pytest

from shared.api.keepalive import KeepAliveClient
from stacks.launcher.processes import gunicorn_command
from stacks.processes import ManagedProcess, wait_until
from stacks.redis_server import free_port
from stacks.tests.wsgi_slow_app import SLOW_SECONDS


@pytest.fixture
def server(tmp_path):
    """One worker process of two threads: one for a slow request, one for everything else."""
    port = free_port("127.0.0.1")
    process = ManagedProcess(
        name="worker-test",
        command=gunicorn_command(
            "stacks.tests.wsgi_slow_app:application",
            bind=f"127.0.0.1:{port}",
            workers=1,
            threads=2,
        ),
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
        log_path=tmp_path / "gunicorn.log",
    )
    process.start()
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: _answers(url), timeout=30, interval=0.1)
    yield process, url
    process.stop()


def _answers(url: str) -> bool:
    try:
        KeepAliveClient(timeout=1).request("GET", f"{url}/ping")
    except OSError:
        return False
    return True


def test_requests_back_to_back_and_after_a_pause_travel_on_one_connection(server):
    _, url = server
    client = KeepAliveClient(timeout=5)
    try:
        for number in range(300):
            assert client.request("GET", f"{url}/n{number}").body == f"/n{number}".encode()
            if number % 100 == 0:
                time.sleep(0.05)  # longer than a pool thread waits: back to the poller
        assert (client.connections_opened, client.reconnects, client.resets) == (1, 0, 0)
    finally:
        client.close()


def test_no_connection_waits_behind_another_while_a_thread_is_busy(server):
    """With one of the two threads in a slow request, two clients sending requests back to back
    on their own connections share the other thread, each answered at once: the thread does
    not keep one client's connection while another's request waits."""
    _, url = server
    slowest: list[float] = []
    stop = threading.Event()

    def slow() -> None:
        client = KeepAliveClient(timeout=5)
        while not stop.is_set():
            client.request("GET", f"{url}/slow")
        client.close()

    def fast() -> None:
        client = KeepAliveClient(timeout=5)
        worst = 0.0
        while not stop.is_set():
            started = time.perf_counter()
            client.request("GET", f"{url}/fast")
            worst = max(worst, time.perf_counter() - started)
        slowest.append(worst)
        client.close()

    slow_thread = threading.Thread(target=slow)
    slow_thread.start()
    time.sleep(0.1)  # the slow request holds its thread
    fast_threads = [threading.Thread(target=fast) for _ in range(2)]
    for thread in fast_threads:
        thread.start()
    time.sleep(2 * SLOW_SECONDS)
    stop.set()
    for thread in [slow_thread, *fast_threads]:
        thread.join(timeout=10)
    assert len(slowest) == 2
    assert max(slowest) < SLOW_SECONDS / 2


def test_a_stop_answers_the_request_in_flight_and_ends_within_the_grace(server):
    """As gthread does. (A request sent on the connection as the worker exits may still be
    reset, by gthread too: a client retries what it can.)"""
    process, url = server
    client = KeepAliveClient(timeout=5)
    answers: list[int] = []

    def loop() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                answers.append(client.request("GET", f"{url}/slow").status)
            except OSError:
                return  # the server closed: refused, as a stopped server is

    thread = threading.Thread(target=loop)
    thread.start()
    time.sleep(SLOW_SECONDS / 2)  # a slow request in flight
    started, answered_before = time.monotonic(), len(answers)
    process.terminate()
    process.wait_stopped(timeout=15)
    thread.join(timeout=15)
    assert time.monotonic() - started < 8  # gunicorn's --graceful-timeout 5, and the exit
    assert len(answers) > answered_before  # the request in flight was answered
    assert set(answers) == {200}
    client.close()
