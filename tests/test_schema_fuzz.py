"""Schemathesis fuzzes every service's OpenAPI schema: no 5xx, nothing the schema does not say.

Each service's schema is read from its /api/schema/ over HTTP, and every operation in it,
public and internal (with the internal token), gets schemathesis's coverage phase (the
boundaries: missing, empty, too long, out-of-range, wrong type, unsupported method) and a
bounded, deterministic fuzzing phase, with these checks.

The fuzzer writes odd posts and comments, so it gets stacks of its own: the session's
stacks stay as the other tests expect them, and the fuzzer always starts from empty
databases (so the aggregator's 1 + N reads stay small and the run stays bounded).
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from shared.api.permissions import INTERNAL_TOKEN_HEADER
from stacks.client import BlogClient
from stacks.launcher import Stack
from stacks.routes import STACK_SERVICES
from tests.conftest import eventually

# What this checks does not depend on the database: run on SQLite only (see Makefile).
pytestmark = [pytest.mark.e2e, pytest.mark.any_database]

SERVICES = [(kind, spec.name) for kind, specs in STACK_SERVICES.items() for spec in specs]
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "unsupported_method",
]
# Fuzzing-phase cases per operation (the coverage phase has its own, fixed, set).
MAX_EXAMPLES = 10
SEED_POST_IDS = (1, 2)
# Statuses that count as refusing schema-violating input (413: too large to read at all).
REFUSALS = [400, 403, 404, 405, 413, 415]


def schemathesis_config() -> str:
    """schemathesis.toml: deterministic, bounded, no stateful phase, only CHECKS."""
    checks = "".join(f"{check}.enabled = true\n" for check in CHECKS)
    return (
        'workers = 1\nsuppress-health-check = ["all"]\nrequest-timeout = 30\n'
        f"[generation]\ndeterministic = true\nmax-examples = {MAX_EXAMPLES}\n"
        "[phases.examples]\nenabled = false\n[phases.stateful]\nenabled = false\n"
        f"[checks]\nenabled = false\n{checks}"
        f"negative_data_rejection.expected-statuses = {REFUSALS}\n"
    )


@pytest.fixture(scope="module")
def fuzz_stacks(tmp_path_factory) -> dict[str, Stack]:
    """A monolith and a micro stack of the fuzzer's own. Started from this thread: a stack's
    processes die with the thread that started them (PR_SET_PDEATHSIG)."""
    token = uuid.uuid4().hex
    stacks = {
        kind: Stack(
            kind,
            run_dir=tmp_path_factory.mktemp(f"fuzz-{kind}"),
            fresh=True,
            env={"INTERNAL_TOKEN": token},
        )
        for kind in STACK_SERVICES
    }
    try:
        for stack in stacks.values():
            _with_seed_posts(stack.start())
        yield stacks
    finally:
        for stack in stacks.values():
            stack.stop()


def _with_seed_posts(stack: Stack) -> Stack:
    """Posts 1 and 2, with a comment each, readable everywhere: the coverage phase's
    smallest ids then reach existing posts (200s and 201s), not only 404s."""
    client = BlogClient(stack.kind, stack.urls)
    for number in SEED_POST_IDS:
        post = client.create_post(f"Seed post {number}").body
        assert post["id"] == number
        client.add_comment(post["id"], f"Seed comment {number}")
    for number in SEED_POST_IDS:
        eventually(
            lambda number=number: client.get_post(number),
            until=lambda reply: reply.status == 200 and len(reply.body["comments"]) == 1,
        )
    return stack


@pytest.fixture(scope="module")
def fuzz_runs(fuzz_stacks, tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """One schemathesis run per service, all at once (they wait on the servers, not the CPU)."""
    folder = tmp_path_factory.mktemp("schemathesis")
    config = folder / "schemathesis.toml"
    config.write_text(schemathesis_config())
    runs: dict[str, subprocess.CompletedProcess] = {}
    lock = threading.Lock()

    def fuzz(kind_and_service: tuple[str, str]) -> None:
        kind, service = kind_and_service
        stack = fuzz_stacks[kind]
        run = _schemathesis(stack, service, config=config, cwd=folder)
        with lock:
            runs[service] = run

    with ThreadPoolExecutor(len(SERVICES)) as pool:
        list(pool.map(fuzz, SERVICES))
    return runs


def _schemathesis(stack: Stack, service: str, *, config: Path, cwd: Path):
    command = [
        sys.executable, "-m", "schemathesis.cli",
        "--config-file", str(config), "--no-color",
        "run", f"{stack.url(service)}/api/schema/",
        "--header", f"{INTERNAL_TOKEN_HEADER}: {stack.internal_token}",
    ]  # fmt: skip
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=240)


@pytest.mark.parametrize(("kind", "service"), SERVICES, ids=[name for _, name in SERVICES])
def test_fuzzing_the_schema_finds_no_server_error_and_no_schema_violation(fuzz_runs, kind, service):
    run = fuzz_runs[service]

    assert run.returncode == 0, f"schemathesis on {kind}/{service}:\n{run.stdout}{run.stderr}"
    generated = re.search(r"(\d+) generated, \1 passed", run.stdout)
    assert generated and int(generated[1]) > 0, run.stdout
