"""The event store's admin: readable, never writable (the store is append-only)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from micro.eventbus.models import StoredEvent
from micro.eventbus.tasks import publish
from shared import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("eventbus-admin", "a@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_stored_events_can_be_listed_and_filtered(admin_client, make_event_message, sent_tasks):
    message = make_event_message(events.COMMENT_DELETED)
    publish.apply(args=(message,))
    stored_event = StoredEvent.objects.get()

    listing = admin_client.get(
        "/admin/eventbus/storedevent/", {"event_type": events.COMMENT_DELETED}
    )
    detail = admin_client.get(f"/admin/eventbus/storedevent/{stored_event.seq}/change/")

    assert listing.status_code == 200
    assert message["id"] in listing.content.decode()
    assert detail.status_code == 200
    assert message["id"] in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()


def test_stored_events_cannot_be_added_changed_or_deleted(
    admin_client, make_event_message, sent_tasks
):
    publish.apply(args=(make_event_message(events.POST_CREATED),))
    stored_event = StoredEvent.objects.get()
    change_url = f"/admin/eventbus/storedevent/{stored_event.seq}/change/"

    assert admin_client.get("/admin/eventbus/storedevent/add/").status_code == 403
    assert admin_client.post(change_url, {"event_type": "PostDeleted"}).status_code == 403
    delete_url = f"/admin/eventbus/storedevent/{stored_event.seq}/delete/"
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    stored_event.refresh_from_db()
    assert stored_event.event_type == events.POST_CREATED
