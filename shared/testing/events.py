"""Events as their producers sign them in development, for tests that hand events to a consumer."""

from __future__ import annotations

import dataclasses

from shared.events import PRODUCERS, Event
from shared.signing import dev_signing_key, signature_of


def dev_signed(event: Event) -> Event:
    """The event from its one producer, signed with that producer's development key (the
    one the development settings check with)."""
    producer = PRODUCERS[event.type]
    unsigned = dataclasses.replace(event, source=producer, signature="")
    signature = signature_of(unsigned, signing_key=dev_signing_key(producer))
    return dataclasses.replace(unsigned, signature=signature)
