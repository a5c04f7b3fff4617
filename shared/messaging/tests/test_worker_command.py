"""`python -m shared.messaging.worker <service>`: Celery's worker with the project's options,
without Celery's command line (and its REPL's imports)."""

from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys

import pytest

from shared.deployables import queue_services
from shared.messaging import worker

# Run in a process of its own (a Celery worker takes over its process's logging and
# signals): build the worker as main() does, with WorkController.start replaced by a
# recorder, and say what it was given and which of Celery's command-line modules loaded.
PROBE = """
import sys
from celery.apps.worker import Worker
given = {}
init = Worker.__init__
def record(self, *args, **kwargs):
    given.update(kwargs)
    init(self, *args, **kwargs)
Worker.__init__ = record
Worker.start = lambda self: given.update(queues=sorted(self.app.amqp.queues.consume_from))
from shared.messaging import worker
exit_code = worker.main([%r, "--hostname", "probe@%%h", "--loglevel", "WARNING"])
cli = sorted(m for m in ("celery.bin.celery", "click_repl", "prompt_toolkit") if m in sys.modules)
print(repr({
    "exit": exit_code, "cli": cli, "queues": given["queues"],
    "hostname": given["hostname"], "pool": given["pool_cls"].__module__,
    "loglevel": given["loglevel"],
    "off": [k for k in ("without_gossip", "without_mingle", "without_heartbeat") if given[k]],
}))
"""


@pytest.mark.parametrize("service", ["posts", "moderation"])
def test_the_worker_consumes_its_service_s_queue_with_the_solo_pool_and_no_cli(service, tmp_path):
    env = {**os.environ, "BLOG_VAR_DIR": str(tmp_path), "CELERY_SKIP_CHECKS": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the service's own, as the launcher leaves it
    result = subprocess.run(
        [sys.executable, "-c", PROBE % service],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    given = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    assert given == {
        "exit": 0,
        "cli": [],
        "queues": [service],
        "hostname": f"probe@{socket.gethostname()}",
        "pool": "celery.concurrency.solo",
        "loglevel": 30,
        "off": ["without_gossip", "without_mingle", "without_heartbeat"],
    }


def test_only_a_service_with_a_queue_is_a_worker(capsys):
    assert set(queue_services()) == {"posts", "comments", "moderation", "query", "eventbus"}
    with pytest.raises(SystemExit):
        worker.parse_args(["aggregator"])
    assert "invalid choice: 'aggregator'" in capsys.readouterr().err
