"""The reliability phase's pure parts: which faults run, the table, the applied-twice count."""

from __future__ import annotations

import pytest

from shared import events
from stacks.compare import reliability
from stacks.compare.document import Table, render_markdown
from stacks.compare.report import write_report
from stacks.reliability import Workload, doubled_effects

KNOWN = ["kill -9 comments-worker", "kill -9 redis", "poison messages"]


def _row(fault: str, **figures) -> dict:
    return {
        "fault": fault,
        "actions": 50,
        "accepted_posts": 10,
        "accepted_comments": 40,
        "refused": 0,
        "lost": 0,
        "applied_twice": 0,
        "converge_seconds": 3.2,
        "converged": True,
        "dead_letters_missing": 0,
        **figures,
    }


@pytest.mark.parametrize(
    ("choice", "quick", "expected"),
    [
        ("default", False, list(reliability.DEFAULT_FAULTS)),
        ("default", True, list(reliability.QUICK_FAULTS)),
        ("all", True, KNOWN),
        ("none", False, []),
        ("kill -9 redis, poison messages", False, ["kill -9 redis", "poison messages"]),
    ],
)
def test_the_faults_chosen(choice, quick, expected):
    assert reliability.chosen_faults(choice, quick=quick, known=KNOWN) == expected


def test_an_unknown_fault_is_refused_naming_it_and_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown reliability fault.*kill -9 posts.*choose from"):
        reliability.chosen_faults("kill -9 posts", quick=False, known=KNOWN)


def test_the_default_faults_exist_in_stacks_reliability():
    known = list(reliability.all_faults())
    assert reliability.chosen_faults("default", quick=False, known=known)
    assert reliability.chosen_faults("default", quick=True, known=known)


def test_the_table_shows_each_fault_with_lost_applied_twice_and_converge_time():
    raw = {
        "reliability": [
            _row("kill -9 redis"),
            _row("poison messages", dead_letters_missing=2, converged=False, applied_twice=1),
        ]
    }
    section = reliability.section(raw)
    [table] = [block for block in section.blocks if isinstance(block, Table)]
    assert table.headers == [
        "fault", "actions", "refused", "lost", "applied twice", "converged", "converge s",
    ]  # fmt: skip
    assert table.rows == [
        ["kill -9 redis", 50, 0, 0, 0, "yes", 3.2],
        ["poison messages", 50, 0, 2, 1, "NO", 3.2],  # a poison message not kept is lost
    ]


def test_a_skipped_phase_says_why():
    section = reliability.section({"notes": {"reliability": "skipped (--reliability-faults none)"}})
    text = render_markdown("T", [section])
    assert "Not measured: skipped (--reliability-faults none)." in text
    assert "|" not in text


def test_the_report_has_the_reliability_section(raw, tmp_path):
    raw["reliability"] = [_row("kill -9 comments-worker")]
    markdown = write_report(raw, tmp_path / "report")["markdown"].read_text()
    assert f"## {reliability.TITLE}" in markdown
    assert "| kill -9 comments-worker |" in markdown


def _stored(event_type: str, event_id: str, **data) -> dict:
    return {"id": event_id, "type": event_type, "data": data}


def test_an_effect_counts_as_applied_twice_only_with_two_distinct_events():
    workload = Workload(comments={7: {70: "apple", 71: "Orange"}})
    created = _stored(events.POST_CREATED, "e1", post_id=7)
    updated = _stored(events.COMMENT_UPDATED, "e2", post_id=7, comment_id=70)
    stored = [
        created,
        created,  # the same stored event read twice (e.g. overlapping pages): not a double
        updated,
        _stored(events.COMMENT_UPDATED, "e3", post_id=7, comment_id=70),  # a real double
        _stored(events.COMMENT_MODERATED, "e4", post_id=7, comment_id=71),  # not an effect
        _stored(events.COMMENT_MODERATED, "e5", post_id=7, comment_id=71),
        _stored(events.POST_CREATED, "e6", post_id=8),  # another workload's post
        _stored(events.POST_CREATED, "e7", post_id=8),
    ]
    assert doubled_effects(stored, workload) == {"CommentUpdated 70": ["e2", "e3"]}
