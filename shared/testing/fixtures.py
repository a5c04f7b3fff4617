"""Fixtures every deployable's unit tests use (loaded with `-p shared.testing.fixtures`)."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import pytest

from shared.testing.http_stand_in import Answer, HttpStandIn, closed_port_url

_sequence = itertools.count(1)


def delivery_order_examples() -> int:
    """How many delivery orders the delivery-order properties try: 100 in `make test`,
    more in `make test-slow` (BLOG_TEST_EXAMPLES=500)."""
    return int(os.environ.get("BLOG_TEST_EXAMPLES", "100"))


@pytest.fixture
def study_fault_file(tmp_path, monkeypatch, settings):
    """Study mode on and this process's fault file (BLOG_FAULT_FILE) at a path not written
    yet, its cached reading forgotten: the test writes the faults it injects there."""
    from shared import study

    path = tmp_path / "service.json"
    monkeypatch.setenv("BLOG_FAULT_FILE", str(path))
    monkeypatch.setitem(study._cache, "mtime", None)
    settings.STUDY_MODE = True
    return path


@pytest.fixture
def api_client():
    """DRF's test client (imported here so that the plugin loads without Django settings)."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def unique_title():
    """A title no other test uses, so that assertions never match someone else's post."""

    def make(prefix: str = "Post") -> str:
        return f"{prefix} {next(_sequence)} {uuid.uuid4().hex[:8]}"

    return make


@pytest.fixture
def http_stand_in() -> Iterator:
    """Start an HttpStandIn with the test's own answer; every one is stopped after the test."""
    started: list[HttpStandIn] = []

    def start(answer: Answer) -> HttpStandIn:
        started.append(HttpStandIn(answer).start())
        return started[-1]

    yield start
    for stand_in in started:
        stand_in.stop()


@pytest.fixture(name="closed_port_url")
def closed_port_url_fixture() -> str:
    """The URL of a loopback port nothing listens on (a service that is down)."""
    return closed_port_url()


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory):
    """A real redis-server of this test session alone, on a free port (never the shared one)."""
    from stacks.redis_server import PrivateRedis

    server = PrivateRedis(run_dir=tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(private_redis, settings):
    """The private Redis as this test's broker (CELERY_BROKER_URL), emptied before the test."""
    import redis

    client = redis.Redis.from_url(private_redis.url)
    client.flushdb()
    settings.CELERY_BROKER_URL = private_redis.url
    yield client
    client.close()
