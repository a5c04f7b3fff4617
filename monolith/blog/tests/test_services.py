"""The monolith's admin override: comment_set_status says whether the comment changed."""

from __future__ import annotations

import pytest

from monolith.blog import services
from monolith.blog.models import Comment
from shared import rules

pytestmark = pytest.mark.django_db


def test_setting_a_new_status_changes_the_comment_and_says_so(make_post, make_comment):
    comment = make_comment(post=make_post(), status=rules.REJECTED)

    assert services.comment_set_status(comment=comment, status=rules.APPROVED) is True

    comment.refresh_from_db()
    assert comment.status == rules.APPROVED


def test_setting_the_status_a_comment_has_changes_nothing(
    make_post, make_comment, django_assert_num_queries
):
    comment = make_comment(post=make_post(), status=rules.APPROVED)

    with django_assert_num_queries(1):
        assert services.comment_set_status(comment=comment, status=rules.APPROVED) is False


def test_setting_the_status_of_a_deleted_comment_does_nothing(make_post, make_comment):
    comment = make_comment(post=make_post(), status=rules.PENDING)
    Comment.objects.filter(pk=comment.pk).delete()

    assert services.comment_set_status(comment=comment, status=rules.APPROVED) is False
    assert not Comment.objects.filter(pk=comment.pk).exists()
