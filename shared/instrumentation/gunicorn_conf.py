"""Gunicorn settings the launcher (and the container image) use for every web process."""

from prometheus_client import multiprocess


def child_exit(server, worker) -> None:
    """Tell prometheus-client a worker is gone, so its live gauges are dropped."""
    multiprocess.mark_process_dead(worker.pid)
