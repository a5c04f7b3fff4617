"""Write a run's report folder (report.md, report.html, PNG charts, raw.json) and its summary."""

from __future__ import annotations

import json
from pathlib import Path

from stacks.compare import charts as drawing
from stacks.compare import claims as judged
from stacks.compare import floor, gateway_hop, overload, sections
from stacks.compare.document import Section, render_html, render_markdown
from stacks.compare.reliability import section as reliability_section
from stacks.compare.summary import (
    closed_loop_rows,
    cpu_at_fewest_clients,
    cpu_per_action,
    find_row,
    lag_figures,
    open_loop_rows,
    scaling_rows,
)
from stacks.routes import PUBLIC_ROUTES

TITLE = "Monolith vs microservices: the same blog, measured"
CPU_BOUND = 0.6  # stack CPU per request over p50 latency above which a request is "computing"


def build_sections(raw: dict, charts: dict) -> list[Section]:
    return [
        sections.header(raw),
        sections.targets(raw),
        floor.section(raw),
        sections.closed_loop(raw, charts),
        sections.open_loop(raw, charts),
        sections.write_throughput(raw),
        sections.consistency_lag(raw, charts),
        sections.cost(raw, charts),
        sections.cpu(raw),
        sections.request_counts(raw),
        sections.failure_matrix(raw),
        reliability_section(raw),
        overload.section(raw),
        sections.scaling(raw, charts),
        gateway_hop.section(raw),
        sections.loadgen_check(raw),
        sections.claims(raw),
        limits(raw),
    ]


def summary_sections(raw: dict) -> list[Section]:
    """What the command prints at the end: the run, targets, latency, and the claims."""
    return [
        sections.header(raw),
        sections.targets(raw),
        floor.section(raw),
        sections.closed_loop(raw, {}),
        sections.write_throughput(raw),
        sections.consistency_lag(raw, {}),
        sections.cost(raw, {}),
        reliability_section(raw),
        overload.section(raw),
        sections.claims(raw),
    ]


# -- the closing note --------------------------------------------------------------------------
def _cpu_row(raw: dict, stack: str, action: str) -> dict | None:
    return cpu_at_fewest_clients(raw["runs"], stack, action)


def serving_process(stack: str, action: str) -> str:
    """The web process that answers an action's request (the route table's service)."""
    if stack == "monolith":
        return "monolith-web"
    if action == "list via aggregator":
        return "aggregator-web"
    operation = {"create post": "post_create", "add comment": "comment_create"}.get(
        action, "post_list"
    )
    return f"{PUBLIC_ROUTES[operation][stack]}-web"


def _where_time_goes(raw: dict, stack: str, action: str, target: str) -> str | None:
    row = find_row(closed_loop_rows(raw["runs"]), stack, action, 1)
    spent = _cpu_row(raw, stack, action)
    if not row or not spent or row["p50"] is None:
        return None
    serving = serving_process(stack, action)
    serving_ms = spent["ms_per_action"].get(serving, 0.0)
    kind = (
        "the request is computing in Python, not waiting"
        if serving_ms >= CPU_BOUND * row["p50"]
        else "the request mostly waits (database, network, other processes)"
    )
    line = (
        f"{stack} {action}: p50 {row['p50']:.1f} ms at 1 client (target {target}); "
        f"{serving} spent {serving_ms:.1f} ms of CPU per request at 1 client: {kind}."
    )
    rest = spent["server_ms_per_action"] - serving_ms
    if rest >= 1:
        others = sorted(
            ((n, v) for n, v in spent["ms_per_action"].items() if n != serving),
            key=lambda item: -item[1],
        )
        named = ", ".join(f"{name} {value:.1f}" for name, value in others[:3])
        line += f" The rest of the stack spent {rest:.1f} ms more per request ({named})."
    return line


LATENCY_TARGETS = (
    ("micro", "list via query", "0.52 ms"),
    ("monolith", "list", "2.0 ms"),
    ("micro", "add comment", "5 ms"),
)


def _pair_bound(raw: dict) -> str | None:
    post, comment = _cpu_row(raw, "micro", "create post"), _cpu_row(raw, "micro", "add comment")
    if not post or not comment:
        return None
    per_pair = post["server_ms_per_action"] + comment["server_ms_per_action"]
    cores = raw["meta"]["machine"]["nproc"]
    return (
        f"A post + comment pair costs micro {per_pair:.1f} ms of CPU in all (the two POSTs and "
        f"the messages they cause), so {cores} cores can finish at most about "
        f"{cores * 1000 / per_pair:.0f} pairs per second even if nothing else ran."
    )


def limits(raw: dict) -> Section:
    machine = raw["meta"]["machine"]
    missed = [t["target"] for t in judged.targets(raw) if t["met"] is False]
    notes = [
        f"This machine has {machine['nproc']} CPUs, shared by every process of both stacks, "
        "Redis and the load generator. Each web service is one gunicorn process with 8 "
        "threads; Python runs one thread of a process at a time (the GIL), so one service "
        "uses at most about one core however many clients wait.",
    ]
    http_floor = raw.get("probes", {}).get("http_floor")
    if http_floor:
        notes.append(
            "The floor: the emptiest request (GET /health/, one client, one at a time) takes "
            + " and ".join(
                f"{f['p50_ms']:.1f} ms on {stack} ({f['service']})"
                for stack, f in http_floor.items()
            )
            + " here, client and server together (through the load generator's own kept-alive "
            "http.client client, as every latency above); every latency above includes it."
        )
    if missed:
        notes.append("Targets missed: " + "; ".join(missed) + ".")
    for stack, action, target in LATENCY_TARGETS:
        line = _where_time_goes(raw, stack, action, target)
        if line:
            notes.append(line)
    bound = _pair_bound(raw)
    if bound:
        notes.append(bound)
    notes.append(
        "To see inside a process, profile it while it serves load: `py-spy top --pid <pid>` "
        "or `py-spy record -o profile.svg --pid <pid>` on the process the CPU table names "
        "(`manage.py launch` keeps a stack running; `ps -ef | grep micro.query` finds a pid)."
    )
    return Section("What limits these numbers", notes)


# -- files -------------------------------------------------------------------------------------
def write_report(raw: dict, directory: Path) -> dict[str, Path]:
    """Charts, report.md, report.html and raw.json in `directory`; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "markdown": directory / "report.md",
        "html": directory / "report.html",
        "raw": directory / "raw.json",
    }
    # The raw figures first: whatever happens while rendering, the measurements are kept.
    paths["raw"].write_text(json.dumps(raw, indent=1, default=str))
    raw = {**raw, "figures": derived_figures(raw)}
    paths["raw"].write_text(json.dumps(raw, indent=1, default=str))
    charts = drawing.draw_all(raw, directory)
    document = build_sections(raw, charts)
    paths["markdown"].write_text(render_markdown(TITLE, document))
    paths["html"].write_text(render_html(TITLE, document, directory))
    for name, (filename, _caption) in charts.items():
        paths[f"chart {name}"] = directory / filename
    return paths


def derived_figures(raw: dict) -> dict:
    """The numbers the tables show, computed from the raw samples, kept in raw.json too."""
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


def summary_text(raw: dict) -> str:
    return render_markdown(TITLE, summary_sections(raw))
