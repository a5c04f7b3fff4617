"""/metrics: only with the internal token; a worker given WORKER_METRICS_PORT (as in a
container) serves its own task counters; under the launcher a web process adds up its worker's."""

from __future__ import annotations

import json

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from shared.instrumentation.metrics import MSG_METRICS_NEED_TOKEN
from stacks.client import BlogClient
from stacks.redis_server import free_port
from tests.conftest import eventually

# What this checks does not depend on the database: run on SQLite only (see Makefile).
pytestmark = [pytest.mark.e2e, pytest.mark.any_database]


def counter(text: str, name: str, **labels: str) -> float:
    """The sum of a counter's samples whose labels include `labels`."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == f"{name}_total" and labels.items() <= sample.labels.items()
    )


def approved_comment(micro_stack, unique: str) -> dict:
    """A post and a comment on it, read back from query once moderation approved it."""
    client = BlogClient("micro", micro_stack.urls)
    post = client.create_post(f"metrics {unique}").body
    comment = client.add_comment(post["id"], f"a kind word {unique}").body

    def approved(reply) -> bool:
        mine = [c for c in reply.body.get("comments", []) if c["id"] == comment["id"]]
        return bool(mine) and mine[0]["status"] == "approved"

    eventually(lambda: client.get_post(post["id"]), until=approved)
    return comment


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", "Basic ZGV2OmRldg==", "dev-internal-token"]
)
def test_metrics_without_the_token_is_a_401_in_the_error_shape(micro_stack, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{micro_stack.url('query')}/metrics", headers=headers, timeout=5)

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": MSG_METRICS_NEED_TOKEN,
        "fields": {},
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_web_process_adds_up_its_launched_workers_counters(micro_stack, unique):
    approved_comment(micro_stack, unique)
    response = requests.get(
        f"{micro_stack.url('query')}/metrics", headers=micro_stack.metrics_headers(), timeout=5
    )

    assert response.status_code == 200
    # query-web and query-worker share one multiprocess folder under the launcher.
    assert counter(response.text, "blog_messages_consumed", service="query") >= 2
    assert counter(response.text, "blog_http_requests", service="query") >= 1


def task_records(micro_stack, name: str) -> list[dict]:
    """The trace records of the tasks one worker process ran."""
    path = micro_stack.trace_dir / f"moderation-worker-{micro_stack.process(name).pid}.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return [record for record in map(json.loads, lines) if record["kind"] == "task"]


def test_a_worker_with_a_metrics_port_serves_its_own_task_counters(micro_stack, tmp_path, unique):
    port, folder = free_port("127.0.0.1"), tmp_path / "worker-metrics"
    folder.mkdir()
    url = f"http://127.0.0.1:{port}/metrics"
    # Alone on moderation's queue, counting in its own folder, as in a container.
    micro_stack.stop_process("moderation-worker")
    try:
        name = micro_stack.add_worker(
            "moderation",
            env={"WORKER_METRICS_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(folder)},
        )
        try:
            refused = requests.get(url, timeout=5)
            approved_comment(micro_stack, unique)
            served = requests.get(url, headers=micro_stack.metrics_headers(), timeout=5)
            ran = [r for r in task_records(micro_stack, name) if r["status"] == "SUCCESS"]
        finally:
            micro_stack.remove_worker(name)
    finally:
        micro_stack.start_process("moderation-worker")

    assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"
    assert served.status_code == 200
    consumed = counter(
        served.text, "blog_messages_consumed", service="moderation", outcome="SUCCESS"
    )
    assert consumed == len(ran) >= 1
    assert counter(served.text, "blog_messages_published", service="moderation") >= 1
