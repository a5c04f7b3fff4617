"""The comments service's Redis user may read what its pending re-send watches."""

from micro.comments.services import DECISION_QUEUES
from shared.messaging.redis_acl import WATCHES


def test_the_acl_table_lets_comments_watch_every_queue_a_decision_may_be_on():
    assert set(WATCHES["comments"]) == set(DECISION_QUEUES)
