"""The one retry -> dead-letter policy (shared.messaging.retry), and that every consumer
task takes it instead of a copy of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.deployables import event_task, subscribers
from shared.events import InvalidEvent
from shared.messaging.eventbus import PUBLISH_TASK
from shared.messaging.retry import (
    MAX_RETRIES,
    backoff_seconds,
    consumer_task,
    give_up_reason,
    refusal,
)
from shared.signing import ForgedEvent

TASK_NAME = "retry_tests.handle_event"
ROOT = Path(__file__).resolve().parents[3]

given_up: list[dict] = []
failures: list[BaseException] = []


def _keep(**letter) -> None:
    given_up.append(letter)


@consumer_task(TASK_NAME, give_up=_keep)
def handle_event(message: object) -> bool:
    """Fails with each error of `failures` in turn, then succeeds."""
    if failures:
        raise failures.pop(0)
    return True


@pytest.fixture(autouse=True)
def _fresh():
    given_up.clear()
    failures.clear()


def test_backoff_doubles_from_a_fifth_of_a_second_up_to_ten_seconds():
    assert [backoff_seconds(n) for n in range(MAX_RETRIES + 2)] == [
        0.2,
        0.4,
        0.8,
        1.6,
        3.2,
        6.4,
        10.0,
    ]


def test_an_invalid_or_forged_event_is_refused_and_anything_else_may_be_retried():
    assert (
        refusal(InvalidEvent("PostCreated lacks title")) == "invalid event: PostCreated lacks title"
    )
    assert refusal(ForgedEvent("the PostCreated is not signed")) == (
        "forged event: the PostCreated is not signed"
    )
    assert refusal(RuntimeError("the database is away")) is None
    assert give_up_reason(RuntimeError("away")) == "RuntimeError('away')"


@pytest.mark.parametrize("error", [InvalidEvent("bad"), ForgedEvent("unsigned")])
def test_a_refused_message_is_given_up_at_once(error):
    failures.append(error)

    assert handle_event.apply(args=({"n": 1},)).get() is False

    assert given_up == [{"task_name": TASK_NAME, "message": {"n": 1}, "error": refusal(error)}]
    assert failures == []


def test_an_error_is_retried_and_the_message_then_applied():
    failures.extend([RuntimeError("away")] * MAX_RETRIES)

    assert handle_event.apply(args=({"n": 2},)).get() is True

    assert given_up == []


def test_a_message_still_failing_after_the_retries_is_given_up_with_its_error():
    failures.extend([RuntimeError("away")] * (MAX_RETRIES + 2))

    assert handle_event.apply(args=({"n": 3},)).get() is False

    assert len(failures) == 1  # tried 1 + MAX_RETRIES times
    assert given_up == [
        {"task_name": TASK_NAME, "message": {"n": 3}, "error": "RuntimeError('away')"}
    ]


def test_a_consumer_task_lets_celery_allow_the_retries_it_makes():
    assert handle_event.max_retries == MAX_RETRIES
    assert handle_event.__doc__ == "Fails with each error of `failures` in turn, then succeeds."


def test_every_consumer_task_takes_the_policy_and_none_retries_on_its_own():
    for name in [*map(event_task, subscribers()), PUBLISH_TASK]:
        service = name.split(".")[0]
        assert "@consumer_task(" in (ROOT / "micro" / service / "tasks.py").read_text(), name
    copies = [
        str(path.relative_to(ROOT))
        for tree in ("micro", "shared")
        for path in (ROOT / tree).rglob("*.py")
        if "tests" not in path.parts and re.search(r"\.retry\(|retries\s*>=", path.read_text())
    ]
    assert copies == ["shared/messaging/retry.py"]
