"""The run's record: raw.json written from it with a schema version and read back through
one loader; and the phases, each listed once, giving the report its order."""

from __future__ import annotations

import dataclasses
import json

import pytest

from stacks.compare.document import render_markdown
from stacks.compare.figures import FIGURES
from stacks.compare.phase import Phase
from stacks.compare.phases import PHASES, REPORT_ORDER, report_parts
from stacks.compare.record import SCHEMA_VERSION, RunRecord, SchemaError, load_record
from stacks.compare.report import TITLE, build_sections, write_report
from stacks.launcher import PROJECT_DIR

COMMITTED_RAW = PROJECT_DIR / "docs" / FIGURES / "raw.json"
# The report the committed raw.json gives; after a deliberate change to the report, write
# it again: .venv/bin/python -c "from stacks.tests.test_compare_record import write_expected;
# write_expected()" (with DJANGO_SETTINGS_MODULE=monolith.settings).
EXPECTED_REPORT = PROJECT_DIR / "stacks" / "tests" / "expected" / "committed_report.md"


def committed_report() -> str:
    record = load_record(json.loads(COMMITTED_RAW.read_text()))
    return render_markdown(TITLE, build_sections(record, {}))


def write_expected() -> None:
    EXPECTED_REPORT.write_text(committed_report())


def test_the_committed_raw_json_gives_the_committed_report():
    assert committed_report() == EXPECTED_REPORT.read_text()


def test_the_committed_raw_json_has_the_first_shape_and_loads():
    data = json.loads(COMMITTED_RAW.read_text())
    record = load_record(data)
    assert "schema_version" not in data or data["schema_version"] == SCHEMA_VERSION
    assert record.meta.started_at == data["meta"]["started_at"]
    assert record.runs == data["runs"] and record.lag.idle == data["lag"]["idle"]


def test_raw_json_is_written_with_the_schema_version_and_reads_back_the_same(raw, tmp_path):
    paths = write_report(raw, tmp_path / "report")
    kept = json.loads(paths["raw"].read_text())
    assert kept["schema_version"] == SCHEMA_VERSION
    again = load_record(kept)
    assert again == load_record(raw)
    assert render_markdown(TITLE, build_sections(again, {})) == render_markdown(
        TITLE, build_sections(raw, {})
    )


def test_an_unknown_schema_version_is_refused_by_name(raw):
    with pytest.raises(SchemaError, match="schema_version 99"):
        load_record({**raw, "schema_version": 99})


def test_an_unknown_key_is_refused_not_dropped(raw):
    with pytest.raises(SchemaError, match=r"unknown key.*surprise"):
        load_record({**raw, "surprise": 1})
    with pytest.raises(SchemaError, match=r"'lag'.*surprise"):
        load_record({**raw, "lag": {**raw["lag"], "surprise": {}}})


def test_the_record_maps_back_to_the_shape_it_was_read_from(raw):
    mapping = load_record(raw).as_mapping()
    assert {key: value for key, value in mapping.items() if key in raw} == raw
    assert {key: mapping[key] for key in set(mapping) - set(raw)} == {
        "overload": {},
        "reliability": [],
    }, "what a run did not measure has its empty value"


def test_every_phase_is_a_phase_and_each_report_part_is_named_once():
    assert all(isinstance(phase, Phase) for phase in PHASES)
    assert len(REPORT_ORDER) == len(set(REPORT_ORDER))
    assert [part.name for part in report_parts()] == list(REPORT_ORDER)


def test_every_phase_with_sections_is_in_the_report_order():
    with_sections = {phase.name for phase in PHASES if type(phase).sections is not Phase.sections}
    assert with_sections <= set(REPORT_ORDER)


def test_a_new_record_is_empty_where_nothing_was_measured():
    record = RunRecord(meta=load_record(json.loads(COMMITTED_RAW.read_text())).meta)
    assert record.as_mapping()["lag"] == {} and "gateway_hop" not in record.as_mapping()
    assert dataclasses.asdict(record)["runs"] == []


def test_docs_figures_refuses_a_raw_json_of_an_unknown_version(raw, tmp_path):
    from django.core.management import CommandError, call_command

    from stacks.management.commands.docs_figures import Command

    (tmp_path / "raw.json").write_text(json.dumps({**raw, "schema_version": 99}))
    with pytest.raises(CommandError, match="schema_version 99"):
        call_command(Command(), str(tmp_path), docs=str(tmp_path / "docs"), readme="")
