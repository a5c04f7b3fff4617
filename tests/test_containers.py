"""The compose file's services in real containers, built without an image registry: the blog
scenario through the gateway on port 8080, and a worker killed and restarted with nothing lost.

Runs in `make test-containers` (BLOG_TEST_CONTAINERS=1); skipped, with one line saying why,
when no container engine answers. Images: deploy/compose/local/build-images.sh; the local
stand-ins for redis, postgres and nginx: deploy/compose/docker-compose.local.yml.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import time
import uuid

import pytest

from shared import rules
from stacks.client import BlogClient
from stacks.launcher import PROJECT_DIR
from stacks.processes import wait_until
from stacks.routes import STACK_SERVICES
from tests import test_blog_scenario as scenario
from tests.conftest import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.containers]

GATEWAY = "http://127.0.0.1:8080"
PROJECT = "blogtest-containers"
COMPOSE_FILES = ["docker-compose.yml", "deploy/compose/docker-compose.local.yml"]
INSTALL = "Debian: apt-get install docker.io docker-compose mmdebstrap, then start dockerd"
# Containers on a shared 2-core machine: the first start takes minutes, not seconds.
CONVERGE_SECONDS = 90.0


def _compose(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    files = [part for name in COMPOSE_FILES for part in ("-f", name)]
    return subprocess.run(
        ["docker-compose", "-p", PROJECT, *files, *args],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def _engine_missing() -> str | None:
    if not os.environ.get("BLOG_TEST_CONTAINERS"):
        return "the container scenario runs in `make test-containers`"
    for binary in ("docker", "docker-compose", "mmdebstrap"):
        if not shutil.which(binary):
            return f"{binary} is not installed ({INSTALL})"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        return f"no container engine answers: docker info failed ({INSTALL})"
    return None


def _up() -> None:
    """`up -d` until every service is up: a web process still starting makes one
    `up` give up on the services that wait for it; the next `up` goes on from there."""
    last = {}

    def attempt() -> bool:
        last["result"] = _compose("up", "-d", "--no-build")
        return last["result"].returncode == 0

    try:
        wait_until(attempt, timeout=900, interval=5)
    except TimeoutError:
        pytest.fail(f"compose up failed:\n{last['result'].stderr[-3000:]}")


@pytest.fixture(scope="module")
def containers():
    why = _engine_missing()
    if why:
        pytest.skip(why)
    timings = {}
    started = time.monotonic()
    built = subprocess.run(
        ["sh", "deploy/compose/local/build-images.sh"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    timings["build"] = time.monotonic() - started
    started = time.monotonic()
    try:
        _up()
        timings["up"] = time.monotonic() - started
        yield timings
    finally:
        started = time.monotonic()
        _compose("down", "--volumes", "--remove-orphans")
        print(
            f"\ncontainers: images {timings['build']:.0f} s, compose up "
            f"{timings.get('up', float('nan')):.0f} s, down {time.monotonic() - started:.0f} s"
        )


@pytest.fixture
def gateway_client(containers) -> BlogClient:
    """Micro through its one base URL: the gateway container on port 8080."""
    return BlogClient("micro", {spec.name: GATEWAY for spec in STACK_SERVICES["micro"]})


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


def test_the_blog_scenario_through_the_gateway_on_port_8080(gateway_client, unique, monkeypatch):
    """Posts, a comment with "orange" and one without, their final statuses in the list."""
    patient = functools.partial(eventually, timeout=CONVERGE_SECONDS)
    monkeypatch.setattr(scenario, "eventually", patient)
    scenario.test_posts_and_comments_reach_the_list_with_their_final_status(gateway_client, unique)


def test_a_killed_worker_restarted_loses_nothing(gateway_client, unique):
    """SIGKILL the moderation worker, write comments while it is down, start it again: every
    comment reaches its final status exactly once."""
    post = gateway_client.create_post(f"Killed worker {unique}").body
    killed = _compose("kill", "-s", "SIGKILL", "moderation-worker", timeout=60)
    assert killed.returncode == 0, killed.stderr
    contents = [f"comment {n} {'orange' if n % 2 else 'plain'}" for n in range(6)]
    for content in contents:
        assert gateway_client.add_comment(post["id"], content).status == 201
    restarted = _compose("start", "moderation-worker", timeout=120)
    assert restarted.returncode == 0, restarted.stderr

    def final(reply) -> bool:
        comments = reply.body["comments"] if reply.status == 200 else []
        return len(comments) >= len(contents) and all(
            c["status"] != rules.PENDING for c in comments
        )

    reply = eventually(
        lambda: gateway_client.get_post(post["id"]), until=final, timeout=CONVERGE_SECONDS
    )
    assert [(c["content"], c["status"]) for c in reply.body["comments"]] == [
        (content, rules.REJECTED if "orange" in content else rules.APPROVED) for content in contents
    ]
