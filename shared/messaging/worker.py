"""A service's Celery worker, as `celery -A <package> worker` starts it, without Celery's
command line: `python -m shared.messaging.worker <service> [--hostname H] [--loglevel L]`.

The launcher and the container image start every worker with it. It consumes the service's
one queue (shared.deployables) with the solo pool (one task at a time, in the process that
took it: acks_late and the unacked hash are all a worker needs for at-least-once), without
gossip, mingle or heartbeats (no worker asks another anything). Celery's command line
(`celery.bin.celery`) imports every subcommand before it runs one, and its `amqp` shell
brings click-repl and prompt_toolkit: about 6 MiB of every worker that nothing used
(docs/cost.md). What it did for `worker` with the options above is what main() does:
the same `app.Worker(...)`, its hostname, pool and log level converted as its options are.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from shared.deployables import deployable, queue_services
from shared.unused_imports import keep_unused_libraries_out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m shared.messaging.worker", description="Run a service's Celery worker."
    )
    parser.add_argument("service", choices=queue_services())
    parser.add_argument(
        "--hostname", default=None, help="node name; %%h is the host's name (default celery@%%h)"
    )
    parser.add_argument(
        "--loglevel", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    )
    return parser.parse_args(argv)


def celery_app(service: str):
    """What `celery -A micro.<service>` finds: the package's Celery app
    (micro/<service>/celery.py), imported once what no worker uses is kept out."""
    keep_unused_libraries_out()  # before the app: DRF then skips requests and the like
    return importlib.import_module(deployable(service).celery_app).celery_app


def main(argv: list[str] | None = None) -> int:
    from celery import concurrency
    from celery.utils.log import mlevel
    from celery.utils.nodenames import default_nodename, host_format

    args = parse_args(argv)
    row = deployable(args.service)
    worker = celery_app(args.service).Worker(
        hostname=host_format(default_nodename(args.hostname)),
        pool_cls=concurrency.get_implementation("solo"),
        loglevel=mlevel(args.loglevel),
        queues=[row.queue],
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
    )
    worker.start()
    return worker.exitcode or 0


if __name__ == "__main__":
    sys.exit(main())
