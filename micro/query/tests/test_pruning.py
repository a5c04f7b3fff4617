"""After the inbox has forgotten events (shared.messaging.pruning), applying them again, in
any order, leaves the read model as it was: its upserts keep the newest revision."""

from __future__ import annotations

import pytest

from shared.messaging.models import ProcessedEvent
from shared.messaging.pruning import bookkeeping_prune

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("order", ["as-it-happened", "reversed"])
def test_events_applied_again_after_the_inbox_forgot_them_change_nothing(
    deliver,
    history,
    read_model,
    settings,
    order,
):
    for message in history:
        deliver(message)
    before = read_model()
    settings.INBOX_RETENTION_HOURS = -1
    bookkeeping_prune()
    assert not ProcessedEvent.objects.exists()

    for message in history if order == "as-it-happened" else reversed(history):
        deliver(message)

    assert read_model() == before
