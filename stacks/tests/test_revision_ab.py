"""The revision A/B's arithmetic and labels (its stacks are real; these parts are pure)."""

from __future__ import annotations

from stacks.compare.revision_ab import Launched, label_of, table


def test_each_launched_process_is_named_by_its_service_and_role():
    python = "/repo/.venv/bin/python"
    assert label_of(f"{python} -m gunicorn micro.comments.wsgi:application --bind x") == (
        "comments-web"
    )
    assert label_of(f"{python} -m shared.messaging.worker eventbus --hostname h") == (
        "eventbus-worker"
    )
    assert label_of("/usr/bin/redis-server 127.0.0.1:6390") == "redis"


def _round(pairs_per_s: float, **cpu_ms: float) -> dict:
    return {"pairs_per_s": pairs_per_s, "failed": 0, "cpu_ms_per_pair": cpu_ms}


def test_the_table_gives_medians_of_rounds_per_stack_and_per_process(tmp_path):
    old = Launched("old", tmp_path, 9400, tmp_path / "a")
    new = Launched("new", tmp_path, 9420, tmp_path / "b")
    old.rounds[16] = [_round(10, web=5, worker=5), _round(30, web=7, worker=3), _round(20, web=9)]
    new.rounds[16] = [_round(40, web=1), _round(50, web=2), _round(60, web=3)]

    lines = table([old, new], 16).splitlines()

    assert lines[0] == "| 16 clients (median of 3 rounds) | old | new |"
    assert "| pairs/s | 20.0 | 50.0 |" in lines
    assert "| CPU per pair, all processes | 10.0 ms | 2.0 ms |" in lines
    assert "| web | 7.00 ms | 2.00 ms |" in lines
    assert "| worker | 3.00 ms | 0.00 ms |" in lines
