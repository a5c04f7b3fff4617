"""A stack's injected faults (study mode only): a slow, failing or cut-off service or moderation."""

from __future__ import annotations

import json
import time
from pathlib import Path

from stacks.launcher.base import StackBase, StackError
from stacks.launcher.databases import set_postgres_connections

# The keys of shared.study.Fault that inject_fault takes (besides its `seconds`).
FAULT_SETTINGS = frozenset(
    {"delay_ms", "fail_status", "database_down", "moderation_delay_ms", "relay_crash_after_publish"}
)


class FaultsMixin(StackBase):
    """Faults written to one file per service (BLOG_FAULT_FILE), which each of its processes
    reads at its next request or task (shared.study); and databases really cut off on
    PostgreSQL."""

    def _fault_file(self, service: str) -> Path:
        return self.run_dir / "faults" / f"{service}.json"

    def inject_fault(self, service: str, *, seconds: float | None = None, **fault) -> None:
        """Make a service slow (delay_ms), failing (fail_status), its database unreachable
        (database_down), its moderation slow (moderation_delay_ms) or its outbox relay die
        once after publishing (relay_crash_after_publish), for a while or until cleared.
        Every process of the service, web and worker, sees it at its next request or task.
        Keys as in shared.study.Fault."""
        self.spec(service)
        unknown = set(fault) - FAULT_SETTINGS
        if unknown:
            raise StackError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        if seconds is not None:
            fault["until"] = time.time() + seconds
        path = self._fault_file(service)
        staging = path.with_suffix(".tmp")
        staging.write_text(json.dumps(fault))
        staging.replace(path)  # atomic: a process never reads half a fault

    def clear_fault(self, service: str) -> None:
        self._fault_file(service).unlink(missing_ok=True)

    def clear_faults(self) -> None:
        for spec in self.services:
            self.clear_fault(spec.name)

    def slow_moderation(self, delay_ms: int) -> None:
        """Where moderation runs: in the monolith's request, or in micro's moderation worker."""
        service = "monolith" if self.kind == "monolith" else "moderation"
        self.inject_fault(service, moderation_delay_ms=delay_ms)

    def break_database(self, service: str) -> None:
        """Cut a service off from its database: really, on PostgreSQL (no new connections,
        existing ones terminated); by an injected fault on SQLite, which has no server."""
        url = self.service_env(self.spec(service))["DATABASE_URL"]
        if self.database_url:
            set_postgres_connections(url, allowed=False)
        else:
            self.inject_fault(service, database_down=True)

    def restore_database(self, service: str) -> None:
        url = self.service_env(self.spec(service))["DATABASE_URL"]
        if self.database_url:
            set_postgres_connections(url, allowed=True)
        else:
            self.clear_fault(service)
