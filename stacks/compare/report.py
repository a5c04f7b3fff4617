"""Write a run's report folder (report.md, report.html, PNG charts, raw.json) and its summary.

The report is a pure function of the run's record: its parts (stacks/compare/phases.py
REPORT_ORDER) each build their sections and draw their charts from it, so the same report
comes out of a live run and of its raw.json read back (record.load_record).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stacks.compare import claims as judged
from stacks.compare.document import Section, render_html, render_markdown
from stacks.compare.phase import Charts
from stacks.compare.phases import report_parts
from stacks.compare.record import RunRecord, as_record
from stacks.compare.summary import (
    closed_loop_rows,
    cpu_per_action,
    lag_figures,
    open_loop_rows,
    scaling_rows,
)

TITLE = "Monolith vs microservices: the same blog, measured"
Run = RunRecord | Mapping[str, Any]  # a record, or raw.json's contents


def build_sections(run: Run, charts: Charts) -> list[Section]:
    record = as_record(run)
    return [section for part in report_parts() for section in part.sections(record, charts)]


def summary_sections(run: Run) -> list[Section]:
    """What the command prints at the end: the run, targets, latency, and the claims."""
    record = as_record(run)
    parts = [part for part in report_parts() if part.in_summary]
    return [section for part in parts for section in part.sections(record, {})]


def draw_charts(run: Run, directory: Path) -> Charts:
    """Every chart there is data for, in report order; name -> (file name, caption)."""
    record = as_record(run)
    return {
        name: drawn
        for part in report_parts()
        for name, drawn in part.charts(record, directory).items()
    }


# -- files -------------------------------------------------------------------------------------
def write_report(run: Run, directory: Path) -> dict[str, Path]:
    """Charts, report.md, report.html and raw.json in `directory`; returns their paths."""
    record = as_record(run)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "markdown": directory / "report.md",
        "html": directory / "report.html",
        "raw": directory / "raw.json",
    }
    # The raw figures first: whatever happens while rendering, the measurements are kept.
    raw = record.to_json()
    paths["raw"].write_text(json.dumps(raw, indent=1, default=str))
    raw["figures"] = derived_figures(record)
    paths["raw"].write_text(json.dumps(raw, indent=1, default=str))
    charts = draw_charts(record, directory)
    document = build_sections(record, charts)
    paths["markdown"].write_text(render_markdown(TITLE, document))
    paths["html"].write_text(render_html(TITLE, document, directory))
    for name, (filename, _caption) in charts.items():
        paths[f"chart {name}"] = directory / filename
    return paths


def derived_figures(run: Run) -> dict:
    """The numbers the tables show, computed from the raw samples, kept in raw.json too."""
    raw = as_record(run).as_mapping()
    lags = {
        name: lag_figures(record["lags_ms"], record["missing"])
        for name, record in raw.get("lag", {}).items()
        if isinstance(record, dict) and "lags_ms" in record
    }
    return {
        "targets": judged.targets(raw),
        "claims": judged.claims(raw),
        "closed_loop": [
            {k: v for k, v in row.items() if k != "repetition_p50s"}
            for row in closed_loop_rows(raw.get("runs", []))
        ],
        "open_loop": open_loop_rows(raw.get("open_loop", [])),
        "lag": lags,
        "cpu_per_action": cpu_per_action(raw.get("runs", [])),
        "scaling": scaling_rows(raw.get("scaling", [])),
    }


def summary_text(run: Run) -> str:
    return render_markdown(TITLE, summary_sections(run))
