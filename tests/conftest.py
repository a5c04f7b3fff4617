"""Fixtures that start real stacks (real processes, real Redis, real databases) once per session."""

from __future__ import annotations

import os
import uuid

import pytest

from stacks.client import BlogClient
from stacks.launcher import Stack
from stacks.processes import wait_until

# PostgreSQL when given (each service gets <name>_<service>), else SQLite files.
DATABASE_URL = os.environ.get("BLOG_TEST_DATABASE_URL") or None
STACK_KINDS = ["monolith", "micro"]
# How long micro may take to make a write visible in its read model.
CONVERGE_SECONDS = 20.0


def _start(kind: str, tmp_path_factory) -> Stack:
    stack = Stack(
        kind, run_dir=tmp_path_factory.mktemp(kind), database_url=DATABASE_URL, fresh=True
    )
    return stack.start()


@pytest.fixture(scope="session")
def monolith_stack(tmp_path_factory):
    stack = _start("monolith", tmp_path_factory)
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def micro_stack(tmp_path_factory):
    stack = _start("micro", tmp_path_factory)
    yield stack
    stack.stop()


@pytest.fixture(params=STACK_KINDS)
def stack(request) -> Stack:
    """Each scenario that takes `stack` runs once against each stack."""
    return request.getfixturevalue(f"{request.param}_stack")


@pytest.fixture
def client(stack) -> BlogClient:
    return BlogClient(stack.kind, stack.urls)


@pytest.fixture
def micro_client(micro_stack) -> BlogClient:
    return BlogClient("micro", micro_stack.urls)


@pytest.fixture
def unique() -> str:
    """A marker that makes this test's posts and comments its own."""
    return uuid.uuid4().hex[:10]


def eventually(read, *, until, timeout: float = CONVERGE_SECONDS):
    """Call `read` until `until(result)` holds; return the last result."""
    last = {}

    def check() -> bool:
        last["value"] = read()
        return bool(until(last["value"]))

    try:
        wait_until(check, timeout=timeout, interval=0.05)
    except TimeoutError:
        pytest.fail(f"did not converge in {timeout}s; last read: {last.get('value')!r}")
    return last["value"]
