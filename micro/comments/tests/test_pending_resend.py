"""A comment left pending too long asks for moderation again; decided ones never do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from micro.comments import services
from micro.comments.models import Comment
from shared import rules
from shared.messaging import publish
from shared.messaging.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch, broker) -> list[dict]:
    """What the re-send sends, with a private, empty Redis as the broker it reads in-flight
    messages from (the shared one may hold other suites' messages, which would rightly
    make the re-send wait)."""
    messages: list[dict] = []
    monkeypatch.setattr(publish, "publish_event", lambda message, **h: messages.append(message))
    return messages


def _age_everything(seconds: int) -> None:
    moment = timezone.now() - timedelta(seconds=seconds)
    Comment.objects.update(created_at=moment)
    OutboxEvent.objects.update(sent_at=moment)


def test_a_comment_pending_too_long_sends_its_comment_created_again(known_post, sent):
    waiting = services.comment_create(post_id=known_post.post_id, content="still waiting")
    decided = services.comment_create(post_id=known_post.post_id, content="decided")
    services.comment_apply_moderation(comment_id=decided.id, status=rules.APPROVED)
    _age_everything(services.PENDING_RESEND_SECONDS + 1)

    assert services.comment_pending_resend() == 1

    [message] = sent
    assert (message["type"], message["data"]["comment_id"]) == ("CommentCreated", waiting.id)
    original = OutboxEvent.objects.get(event_type="CommentCreated", id=message["id"])
    assert original.sent_at is not None
    assert original.sent_at > timezone.now() - timedelta(seconds=5)


def test_a_comment_pending_for_a_short_while_is_left_alone(known_post, sent):
    services.comment_create(post_id=known_post.post_id, content="just posted")
    OutboxEvent.objects.update(sent_at=timezone.now())

    assert services.comment_pending_resend() == 0
    assert sent == []
