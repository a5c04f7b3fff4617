"""The worker's loops back off at rest: each up to 10 s apart, catch-up up to 30 s."""

from __future__ import annotations

import pytest

from shared.messaging import celery_app


def _intervals(found: list[int], *, base: float, longest: float) -> list[float]:
    """The waits after each round, the loop's function finding `found` things in turn."""
    answers = iter(found)
    interval, waits = base, []
    for _ in found:
        interval = celery_app._next_interval(
            lambda: next(answers), "a loop", interval, base, longest
        )
        waits.append(interval)
    return waits


@pytest.mark.django_db  # each round first closes old connections, as around a task
def test_a_loop_that_finds_nothing_waits_twice_as_long_up_to_its_longest():
    assert _intervals([0] * 6, base=2, longest=30) == [4, 8, 16, 30, 30, 30]
    assert _intervals([0, 0, 3, 0], base=0.5, longest=10) == [1, 2, 0.5, 1]


@pytest.mark.parametrize(
    ("settings_module", "catch_up"),
    [
        ("micro.comments.settings", "micro.comments.handlers.event_store_catch_up"),
        ("micro.query.settings", "micro.query.handlers.read_model_catch_up"),
    ],
)
def test_catch_up_backs_off_to_thirty_seconds_at_rest_and_is_a_loop(settings_module, catch_up):
    import importlib

    from shared.settings.micro import CATCH_UP_AT_REST_MS

    service_settings = importlib.import_module(settings_module)
    assert {catch_up: CATCH_UP_AT_REST_MS} == service_settings.WORKER_LOOPS_AT_REST_MS
    assert catch_up in service_settings.WORKER_LOOPS
    assert CATCH_UP_AT_REST_MS == 30_000
