"""What a benchmark run produced, typed: the record the phases fill in and raw.json keeps.

raw.json is written from a `RunRecord` (`to_json`) with a `schema_version`, and read back
only through `load_record`, which accepts this version and the shape written before the
field existed (version 1: the same keys, no `schema_version`, e.g. the committed
docs/figures/raw.json) and refuses any other version with a clear error.

The leaves (one closed-loop run, one open-loop record, a probe's answer) stay the plain
JSON records their phase module builds and documents; the report's sections and the claims
read the record through `as_mapping()`, the JSON shape, as pure functions of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: before schema_version existed; the same keys
DERIVED = "figures"  # raw.json's derived figures (report.derived_figures): never read back

JsonRecord = dict[str, Any]  # one measured record, as its phase module builds it


class SchemaError(ValueError):
    """A raw.json this code cannot read (an unknown schema version or key)."""


@dataclasses.dataclass
class Meta:
    """The run itself: what ran where, when, and how it ended."""

    command: str
    machine: JsonRecord
    options: JsonRecord  # the CompareOptions, as JSON (passwords redacted)
    database: str  # "sqlite" or "postgresql"
    started_at: str
    load_average_at_start: float | None = None
    aborted: str | None = None  # why the run stopped early, if it did
    other_load: float | None = None  # other processes' share of the CPU during the run
    finished_at: str | None = None
    duration_s: float | None = None


@dataclasses.dataclass
class Lag:
    """Consistency lag on micro: at idle (reads phase), its check against polling, at a
    steady rate (open loop) and under load (pairs)."""

    idle: JsonRecord | None = None
    validation: JsonRecord | None = None
    steady: JsonRecord | None = None
    under_load: JsonRecord | None = None


@dataclasses.dataclass
class Cost:
    """Memory and storage snapshots, per stack, at the moments the phases take them."""

    storage_seeded: JsonRecord | None = None
    memory_idle: JsonRecord | None = None
    memory_after_load: JsonRecord | None = None
    storage_end: JsonRecord | None = None
    redis: JsonRecord | None = None
    idle_cpu: JsonRecord | None = None  # both stacks at rest, after the overload


@dataclasses.dataclass
class Probes:
    """The claims' own probes (stacks/compare/probes.py)."""

    http_floor: JsonRecord | None = None
    sql_per_list: JsonRecord | None = None
    read_fanout: JsonRecord | None = None
    slow_comments: JsonRecord | None = None
    writers_down: JsonRecord | None = None
    moderation_down: JsonRecord | None = None


@dataclasses.dataclass
class Floor:
    """GET /health/ of every service, and each stack's list beside its WSGI floor."""

    health: JsonRecord | None = None
    list: JsonRecord | None = None


@dataclasses.dataclass
class RunRecord:
    """Everything one run measured, one field per phase's result (the phases append to the
    lists and fill in the rest as they run)."""

    meta: Meta
    runs: list[JsonRecord] = dataclasses.field(default_factory=list)  # closed loop
    open_loop: list[JsonRecord] = dataclasses.field(default_factory=list)
    pairs: list[JsonRecord] = dataclasses.field(default_factory=list)
    lag: Lag = dataclasses.field(default_factory=Lag)
    cost: Cost = dataclasses.field(default_factory=Cost)
    scaling: list[JsonRecord] = dataclasses.field(default_factory=list)
    loadgen_check: list[JsonRecord] = dataclasses.field(default_factory=list)
    probes: Probes = dataclasses.field(default_factory=Probes)
    floor: Floor = dataclasses.field(default_factory=Floor)
    tracing_ab: list[JsonRecord] = dataclasses.field(default_factory=list)
    request_counts: list[JsonRecord] | None = None
    failure_matrix: list[JsonRecord] | None = None
    reliability: list[JsonRecord] = dataclasses.field(default_factory=list)
    overload: JsonRecord = dataclasses.field(default_factory=dict)
    notes: dict[str, str] = dataclasses.field(default_factory=dict)  # why a phase was skipped
    gateway_hop: JsonRecord | None = None

    def as_mapping(self) -> dict[str, Any]:
        """The record in raw.json's shape (no schema_version): what the sections and claims
        read. Unset parts are left out, as a run that never measured them left them out."""
        mapping: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if dataclasses.is_dataclass(value):
                value = _set_fields(value)
            elif value is None and field.name == "gateway_hop":
                continue
            mapping[field.name] = value
        return mapping

    def to_json(self) -> dict[str, Any]:
        """What raw.json holds: the schema version, then the record."""
        return {"schema_version": SCHEMA_VERSION, **self.as_mapping()}


_PARTS = {"meta": Meta, "lag": Lag, "cost": Cost, "probes": Probes, "floor": Floor}


def _set_fields(value: Any) -> dict[str, Any]:
    return {
        field.name: getattr(value, field.name)
        for field in dataclasses.fields(value)
        if getattr(value, field.name) is not None
    }


def _part(name: str, kind: type, data: Any):
    if not isinstance(data, Mapping):
        raise SchemaError(f"raw.json: {name!r} is {type(data).__name__}, not an object")
    known = {field.name for field in dataclasses.fields(kind)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SchemaError(f"raw.json: unknown key(s) in {name!r}: {', '.join(unknown)}")
    try:
        return kind(**data)
    except TypeError as error:  # a required field missing
        raise SchemaError(f"raw.json: {name!r}: {error}") from error


def load_record(data: Mapping[str, Any]) -> RunRecord:
    """A RunRecord from raw.json's contents (this version, or version 1's shape); raises
    SchemaError for another version, an unknown key or a missing part."""
    version = data.get("schema_version", 1)
    if version not in READABLE_VERSIONS:
        raise SchemaError(
            f"raw.json has schema_version {version!r}; this code reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))} (regenerate it with `manage.py compare`)"
        )
    # Version 1 differs only in having no schema_version: nothing to migrate.
    fields = {field.name for field in dataclasses.fields(RunRecord)}
    unknown = sorted(set(data) - fields - {"schema_version", DERIVED})
    if unknown:
        raise SchemaError(f"raw.json: unknown key(s): {', '.join(unknown)}")
    if "meta" not in data:
        raise SchemaError("raw.json: no 'meta'")
    given = {
        name: _part(name, _PARTS[name], value) if name in _PARTS else value
        for name, value in data.items()
        if name in fields
    }
    return RunRecord(**given)


def as_record(value: RunRecord | Mapping[str, Any]) -> RunRecord:
    """A record as it is, or raw.json's contents through load_record."""
    return value if isinstance(value, RunRecord) else load_record(value)
