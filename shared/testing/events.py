"""Events as their producers sign them in development, for tests that hand events to a consumer."""

from __future__ import annotations

from shared.events import Event
from shared.signing import SIGNERS, dev_signing_key, signed_as_producer

DEV_SIGNING_KEYS = {service: dev_signing_key(service) for service in SIGNERS}


def dev_signed(event: Event) -> Event:
    """The event from its one producer, signed with that producer's development key (the
    one the development settings check with)."""
    return signed_as_producer(event, signing_keys=DEV_SIGNING_KEYS)
