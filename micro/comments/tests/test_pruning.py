"""After the inbox has forgotten an event (shared.messaging.pruning), applying it again
changes nothing in comments: each handler keeps the newest revision or changes only what is
still pending."""

from __future__ import annotations

import pytest

from micro.comments import handlers, services
from micro.comments.models import Comment, KnownPost
from micro.comments.tests.test_tasks import apply, moderated, post_event
from shared import events, rules
from shared.messaging.models import ProcessedEvent
from shared.messaging.pruning import bookkeeping_prune

pytestmark = pytest.mark.django_db


@pytest.fixture
def forget(settings):
    """Prune the whole inbox, as its retention would once the events are old enough."""
    settings.INBOX_RETENTION_HOURS = -1

    def run() -> None:
        bookkeeping_prune()
        assert not ProcessedEvent.objects.exists()

    return run


def test_a_moderation_applied_again_leaves_an_admin_override(comment_factory, forget):
    comment = comment_factory()
    decision = moderated(comment, rules.APPROVED)
    assert apply(decision) is True
    services.comment_set_status(comment=Comment.objects.get(pk=comment.pk), status=rules.REJECTED)
    forget()

    apply(decision)

    assert Comment.objects.get(pk=comment.pk).status == rules.REJECTED


def test_post_events_applied_again_leave_the_newest_revision(new_post_id, forget):
    history = [
        post_event(events.POST_CREATED, post_id=new_post_id, title="First", revision=1),
        post_event(events.POST_UPDATED, post_id=new_post_id, title="Second", revision=2),
        post_event(events.POST_DELETED, post_id=new_post_id, revision=3),
    ]
    for event in history:
        assert apply(event) is True
    forget()

    for event in history:
        apply(event)

    known = KnownPost.objects.get(pk=new_post_id)
    assert (known.revision, known.deleted) == (3, True)
    assert set(handlers.HANDLERS) == {e.type for e in history} | {events.COMMENT_MODERATED}
