"""GET /internal/events/: the stored events in seq order, paged, behind the internal token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from micro.eventbus.models import StoredEvent
from micro.eventbus.tasks import publish
from shared import events

pytestmark = pytest.mark.django_db

URL = "/internal/events/"


@pytest.fixture
def stored_messages(make_event_message, sent_tasks) -> list[dict]:
    messages = [
        make_event_message(event_type)
        for event_type in (events.POST_CREATED, events.COMMENT_CREATED, events.COMMENT_UPDATED)
        for _ in range(2)
    ]
    for message in messages:
        publish.apply(args=(message,))
    return messages


def test_replay_pages_through_every_event_in_seq_order(internal_client, stored_messages):
    pages, after = [], 0
    while after is not None:
        response = internal_client.get(URL, {"after": after, "limit": 4})
        assert response.status_code == 200
        pages.append(response.json())
        after = response.json()["next_after"]

    assert [len(page["events"]) for page in pages] == [4, 2]
    replayed = [event for page in pages for event in page["events"]]
    assert [event["id"] for event in replayed] == [message["id"] for message in stored_messages]
    seqs = [event["seq"] for event in replayed]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert pages[0]["next_after"] == seqs[3]
    assert pages[1]["next_after"] is None


def test_each_replayed_event_is_the_stored_envelope_plus_its_seq(internal_client, stored_messages):
    body = internal_client.get(URL).json()

    first = body["events"][0]
    assert {key: value for key, value in first.items() if key != "seq"} == stored_messages[0]
    assert first["seq"] == StoredEvent.objects.get(event_id=first["id"]).seq
    assert body["next_after"] is None


def test_a_page_that_ends_exactly_at_the_last_event_says_no_more(internal_client, stored_messages):
    body = internal_client.get(URL, {"limit": len(stored_messages)}).json()

    assert len(body["events"]) == len(stored_messages)
    assert body["next_after"] is None


def test_after_the_last_seq_there_is_nothing(internal_client, stored_messages):
    last_seq = StoredEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    body = internal_client.get(URL, {"after": last_seq}).json()

    assert body == {"events": [], "next_after": None}


def test_an_empty_store_replays_nothing(internal_client):
    assert internal_client.get(URL).json() == {"events": [], "next_after": None}


@pytest.mark.parametrize("headers", [{}, {"HTTP_X_INTERNAL_TOKEN": "wrong-token"}])
def test_replay_needs_the_internal_token(headers, stored_messages):
    response = APIClient().get(URL, **headers)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "events" not in response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"after": -1}, "after"),
        ({"after": "abc"}, "after"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(params, field, internal_client):
    response = internal_client.get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]


def test_the_replay_endpoint_is_in_the_schema(internal_client):
    response = internal_client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    operation = response.json()["paths"]["/internal/events/"]["get"]
    assert operation["operationId"] == "event_list"
    assert {parameter["name"] for parameter in operation["parameters"]} == {
        "after",
        "limit",
        "types",
        "settled_seconds",
    }


def test_replay_can_keep_only_some_event_types(internal_client, stored_messages):
    answer = internal_client.get(URL, {"types": "PostCreated,CommentUpdated"}).json()
    assert [event["type"] for event in answer["events"]] == [
        events.POST_CREATED,
        events.POST_CREATED,
        events.COMMENT_UPDATED,
        events.COMMENT_UPDATED,
    ]


def test_replay_can_leave_out_events_stored_just_now(internal_client, stored_messages):
    assert internal_client.get(URL, {"settled_seconds": 60}).json()["events"] == []
    assert len(internal_client.get(URL, {"settled_seconds": 0}).json()["events"]) == 6


def test_an_unknown_event_type_is_a_400_naming_types(internal_client):
    response = internal_client.get(URL, {"types": "PostCreated,PostExploded"})
    assert response.status_code == 400
    assert "PostExploded" in response.json()["fields"]["types"][0]


STORED_URL = "/internal/events/stored/"


def test_a_publisher_learns_which_of_its_events_are_stored(internal_client, stored_messages):
    unknown = "00000000-0000-4000-8000-000000000000"
    asked = [stored_messages[0]["id"], unknown, stored_messages[3]["id"]]
    response = internal_client.post(STORED_URL, {"ids": asked}, format="json")
    assert response.status_code == 200
    assert sorted(response.json()["stored"]) == sorted(
        [stored_messages[0]["id"], stored_messages[3]["id"]]
    )


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": ["not-a-uuid"]}, {"ids": "x"}])
def test_bad_ids_are_a_400_naming_ids(internal_client, body):
    response = internal_client.post(STORED_URL, body, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()["fields"]


def test_the_stored_ids_endpoint_needs_the_token():
    response = APIClient().post(STORED_URL, {"ids": []}, format="json")
    assert response.status_code == 403
