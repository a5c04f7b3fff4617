"""A stack's secrets: the launch's internal token, its event signing keys, its Redis URLs."""

from __future__ import annotations

import os
from pathlib import Path

from shared.events import Event
from shared.signing import public_key_of, signed_as_producer
from stacks.launcher.base import StackBase
from stacks.redis_server import write_private
from stacks.routes import ServiceSpec

# Where a launch writes its internal token (for the lab, compare and anyone attaching).
INTERNAL_TOKEN_FILE = "internal_token"
# Where a launch with its own Redis writes that Redis's admin URL (password included).
REDIS_ADMIN_URL_FILE = "redis_admin_url"


class KeysMixin(StackBase):
    """The stack's internal token and event signing keys (fresh per launch) and the Redis
    identity each service connects as."""

    @property
    def internal_token(self) -> str:
        """The token the stack's internal endpoints and /metrics want: INTERNAL_TOKEN when
        given, else one made fresh for this launch (written to <run dir>/internal_token)."""
        return (
            self.extra_env.get("INTERNAL_TOKEN")
            or os.environ.get("INTERNAL_TOKEN")
            or self._launch_token
        )

    @property
    def internal_token_file(self) -> Path:
        return self.run_dir / INTERNAL_TOKEN_FILE

    def _write_internal_token(self) -> None:
        """Write the token where the tools that attach to this launch find it (owner only)."""
        write_private(self.internal_token_file, self.internal_token + "\n")

    @property
    def redis_admin_url_file(self) -> Path:
        return self.run_dir / REDIS_ADMIN_URL_FILE

    def service_redis_url(self, spec: ServiceSpec) -> str | None:
        """The REDIS_URL one service runs with: on the private Redis its own ACL user (none for
        a service without a queue: it uses no Redis), else the Redis given, as it is."""
        if self.redis:
            return self.redis.user_url(spec.name) if spec.name in self.redis.users else None
        return self.redis_url

    def internal_headers(self) -> dict[str, str]:
        """What a call to an internal endpoint sends (shared.api.permissions.HasInternalToken)."""
        from shared.api.permissions import INTERNAL_TOKEN_HEADER

        return {INTERNAL_TOKEN_HEADER: self.internal_token}

    def metrics_headers(self) -> dict[str, str]:
        """What a scrape of /metrics sends (shared.instrumentation.metrics.scrape_allowed)."""
        return {"Authorization": f"Bearer {self.internal_token}"}

    @property
    def event_verify_keys(self) -> dict[str, str]:
        return {service: public_key_of(key) for service, key in self.event_signing_keys.items()}

    def sign_event(self, message: dict) -> dict:
        """An event message from its producer, signed as that producer signs in this launch
        (for tests and faults that put real events straight onto a queue)."""
        event = Event.from_message(message)
        return signed_as_producer(event, signing_keys=self.event_signing_keys).as_message()
