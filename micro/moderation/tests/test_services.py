"""The moderation decision: the shared rule, a derived event id, the configured delay."""

from __future__ import annotations

import pytest

from micro.moderation import services
from shared import events, rules
from shared.events import Event, derived_event_id


@pytest.mark.parametrize(
    "content", ["Orange", "ORANGE", "orange", "I like oRaNgEs", "blood-orange juice"]
)
def test_comment_mentioning_orange_is_rejected(comment_created, content):
    moderated = services.comment_moderate(event=comment_created(content))

    assert moderated.data["status"] == rules.REJECTED


@pytest.mark.parametrize("content", ["Apple", "oran ge", "nice post", "0range"])
def test_other_comments_are_approved(comment_created, content):
    moderated = services.comment_moderate(event=comment_created(content))

    assert moderated.data["status"] == rules.APPROVED


def test_comment_moderated_carries_the_comment_and_a_derived_id(comment_created):
    created = comment_created("Hello")

    moderated = services.comment_moderate(event=created)

    assert moderated.type == events.COMMENT_MODERATED
    assert moderated.source == "moderation"
    assert moderated.id == derived_event_id(created.id, events.COMMENT_MODERATED)
    assert moderated.data == {
        "comment_id": created.data["comment_id"],
        "post_id": created.data["post_id"],
        "status": rules.APPROVED,
    }
    assert Event.from_message(moderated.as_message()) == moderated


def test_same_cause_gives_the_same_event_id(comment_created):
    created = comment_created("Hello again")
    other = comment_created("Hello again")

    first = services.comment_moderate(event=created)
    redelivered = services.comment_moderate(event=Event.from_message(created.as_message()))

    assert first.id == redelivered.id
    assert services.comment_moderate(event=other).id != first.id


def test_decision_applies_the_configured_delay(settings, monkeypatch):
    calls = []

    def moderate_slowly(content: str, *, delay_ms: int) -> str:
        calls.append((content, delay_ms))
        return rules.REJECTED

    settings.MODERATION_DELAY_MS = 250
    monkeypatch.setattr(rules, "moderate_slowly", moderate_slowly)

    assert services.content_decide(content="slow") == rules.REJECTED
    assert calls == [("slow", 250)]
