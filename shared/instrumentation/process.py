"""Which service and role (web or worker) this process is, for metric labels and traces."""

from __future__ import annotations

ROLE = {"name": "web"}


def role() -> str:
    return ROLE["name"]


def become_worker() -> None:
    ROLE["name"] = "worker"
