"""The report's floor section: health per service, the list over its WSGI floor, tracing A/B."""

from __future__ import annotations

import pytest

from stacks.compare import floor
from stacks.compare.document import render_markdown
from stacks.compare.report import build_sections


def test_health_rows_name_every_service_of_every_stack(raw):
    assert floor.health_rows(raw) == [
        ["monolith", "monolith", "0.50", "2.00", "0.30"],
        ["micro", "posts", "0.55", "2.10", "0.35"],
        ["micro", "query", "0.70", "-", "0.45"],  # a raw.json from before requests_p50_ms
    ]


def test_the_list_is_shown_beside_the_floor_of_its_own_bytes(raw):
    assert floor.list_rows(raw) == [
        ["micro (query)", "40,000", "0.90", "0.50", "1.8x", "3.00", "0.60", "0.30"]
    ]


def test_tracing_overhead_compares_the_median_p50s_of_traced_and_untraced_runs(raw):
    (row,) = floor.tracing_overhead(raw)
    assert (row["stack"], row["action"]) == ("micro", "list via query")
    assert row["on"]["p50"] == pytest.approx(1.025)  # the p50s 1.01 and 1.04
    assert row["off"]["p50"] == pytest.approx(1.0)
    assert row["overhead"] == pytest.approx(0.025)
    assert (row["on"]["runs"], row["off"]["runs"]) == (2, 2)


def test_the_report_has_the_floor_section_with_its_three_tables(raw):
    markdown = render_markdown("report", build_sections(raw, {}))
    section = markdown.split("## The floor", 1)[1].split("\n## ", 1)[0]
    section = " ".join(section.split())  # the table's cells without their padding
    assert "| micro | posts | 0.55 | 2.10 | 0.35 |" in section
    assert "| micro (query) | 40,000 | 0.90 | 0.50 | 1.8x | 3.00 | 0.60 | 0.30 |" in section
    assert "| micro | list via query | 1.02 | 1.00 | +2.5% |" in section


def test_a_run_without_floor_figures_says_so(raw):
    raw.pop("floor")
    raw.pop("tracing_ab")
    section = floor.section(raw)
    assert section.blocks.count(floor.NOT_MEASURED) == 3
