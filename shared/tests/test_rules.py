"""The moderation rule and the limits, as plain Python."""

from __future__ import annotations

import pytest

from shared import rules


@pytest.mark.parametrize(
    "content",
    ["orange", "Orange", "ORANGE", "oRaNgE", "I like oranges", "blood-orange", "ORANGEADE!"],
)
def test_moderate_rejects_orange_in_any_case_anywhere(content):
    assert rules.moderate(content) == rules.REJECTED


@pytest.mark.parametrize("content", ["apple", "", "or ange", "o-r-a-n-g-e", "orang", "range"])
def test_moderate_approves_everything_else(content):
    assert rules.moderate(content) == rules.APPROVED


def test_moderate_answers_a_known_status():
    assert {rules.moderate("orange"), rules.moderate("apple")} <= set(rules.COMMENT_STATUSES)


@pytest.fixture
def recorded_sleeps(monkeypatch) -> list[float]:
    sleeps: list[float] = []
    monkeypatch.setattr(rules.time, "sleep", sleeps.append)
    return sleeps


def test_moderate_slowly_sleeps_the_delay_then_moderates(recorded_sleeps):
    status = rules.moderate_slowly("Orange juice", delay_ms=300)

    assert status == rules.REJECTED
    assert recorded_sleeps == [0.3]


@pytest.mark.parametrize("delay_ms", [0, -5])
def test_moderate_slowly_does_not_sleep_without_a_delay(recorded_sleeps, delay_ms):
    status = rules.moderate_slowly("apple", delay_ms=delay_ms)

    assert status == rules.APPROVED
    assert recorded_sleeps == []


def test_messages_name_their_limits():
    assert str(rules.TITLE_MAX_LENGTH) in rules.MSG_TITLE_TOO_LONG
    assert str(rules.CONTENT_MAX_LENGTH) in rules.MSG_CONTENT_TOO_LONG
    assert str(rules.LIST_LIMIT_MAX) in rules.MSG_LIMIT_INVALID
    assert "1234" in rules.MSG_BODY_TOO_LARGE.format(limit=1234)
    assert "comments" in rules.MSG_SERVICE_UNAVAILABLE.format(service="comments")


def test_default_list_limit_is_within_the_allowed_range():
    assert 1 <= rules.LIST_LIMIT_DEFAULT <= rules.LIST_LIMIT_MAX


def test_each_comment_status_is_a_choice_labelled_as_the_admin_shows_it():
    assert rules.COMMENT_STATUS_CHOICES == (
        (rules.PENDING, "Pending"),
        (rules.APPROVED, "Approved"),
        (rules.REJECTED, "Rejected"),
    )
