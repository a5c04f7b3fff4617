"""The floor under every figure: the emptiest request of each service, the Python floor of
the list's response (its bytes from memory under the same server), and what tracing costs.

The phase measures them (one client, tracing off); the section is a pure function of the
raw figures (raw.json), like the report's other sections, and also shows the tracing A/B
(stacks/compare/tracing_ab.py).
"""

from __future__ import annotations

from stacks.compare import probes, records
from stacks.compare.document import Section, Table
from stacks.compare.phase import Charts, Context, Phase
from stacks.compare.record import RunRecord
from stacks.compare.stats import median

NOT_MEASURED = "not measured in this run"


def _ms(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def health_rows(raw: dict) -> list[list[str]]:
    """One row per service: GET /health/ at one client, as the load generator's client,
    requests and bare http.client see it."""
    health = raw.get("floor", {}).get("health", {})
    return [
        [
            stack,
            service,
            _ms(figures["p50_ms"]),
            _ms(figures.get("requests_p50_ms")),
            _ms(figures["raw_p50_ms"]),
        ]
        for stack, services in health.items()
        for service, figures in services.items()
    ]


def list_rows(raw: dict) -> list[list[str]]:
    """Each stack's list beside the same bytes from a bare WSGI app: the ratio is what the
    stack's Python adds over the floor of that response."""
    rows = []
    for stack, figures in raw.get("floor", {}).get("list", {}).items():
        served, floor = figures["list"], figures["wsgi_floor"]
        rows.append(
            [
                f"{stack} ({figures['service']})",
                f"{floor['bytes']:,}",
                _ms(served["p50_ms"]),
                _ms(floor["p50_ms"]),
                f"{served['p50_ms'] / floor['p50_ms']:.1f}x",
                _ms(served.get("requests_p50_ms")),
                _ms(served["raw_p50_ms"]),
                _ms(floor["raw_p50_ms"]),
            ]
        )
    return rows


def tracing_overhead(raw: dict) -> list[dict]:
    """Per (stack, action): median p50 and req/s of the traced and the untraced runs, and
    the traced runs' extra latency as a share of the untraced."""
    grouped: dict[tuple[str, str], dict[bool, list[dict]]] = {}
    for record in raw.get("tracing_ab", []):
        key = (record["stack"], record["action"])
        grouped.setdefault(key, {True: [], False: []})[record["traced"]].append(record)
    rows = []
    for (stack, action), runs in grouped.items():
        on, off = (_run_figures(runs[traced]) for traced in (True, False))
        overhead = None if on["p50"] is None or not off["p50"] else on["p50"] / off["p50"] - 1
        rows.append({"stack": stack, "action": action, "on": on, "off": off, "overhead": overhead})
    return rows


def _run_figures(runs: list[dict]) -> dict:
    p50s = [p50 for run in runs if (p50 := median(run["latencies_ms"])) is not None]
    rates = [run["ok"] / run["elapsed_s"] for run in runs if run["elapsed_s"]]
    return {"p50": median(p50s), "per_s": median(rates), "runs": len(runs)}


def section(raw: dict) -> Section:
    blocks: list = [
        "Measured in this run at one client, one request at a time, trace records off, the "
        "clients taking turns (5 rounds). `p50` is through the load generator's own client "
        "(shared/api/keepalive.py: kept-alive http.client connections, TCP_NODELAY, as every "
        "latency above), `requests p50` through one kept-alive requests.Session (the client "
        "every latency went through before; the tests' BlogClient), `raw p50` through bare "
        "http.client on one connection (no client code at all); `p50` minus `raw p50` is the "
        "load generator's own share of every latency."
    ]
    health = health_rows(raw)
    blocks += [
        "The emptiest request of each service (GET /health/; a service with a database "
        "asks it SELECT 1):",
        Table(["stack", "service", "p50 ms", "requests p50 ms", "raw p50 ms"], health)
        if health
        else NOT_MEASURED,
    ]
    lists = list_rows(raw)
    blocks += [
        "The post list beside a bare WSGI app (stacks/floor_app.py) answering the very same "
        "bytes from memory under the same gunicorn command and config: the Python floor "
        "for this response.",
        Table(
            [
                "list",
                "bytes",
                "p50 ms",
                "floor p50 ms",
                "over floor",
                "requests p50",
                "raw p50",
                "raw floor",
            ],
            lists,
        )
        if lists
        else NOT_MEASURED,
    ]
    ab = tracing_overhead(raw)
    blocks += [
        "Trace records (the request-count tables, lag and lab read them) are off while "
        "latency and throughput are measured, and on for the phases that read them. What "
        "they would cost, A/B at one client (runs alternated):",
        Table(
            ["stack", "action", "p50 traced", "p50 untraced", "overhead", "req/s on", "req/s off"],
            [
                [
                    r["stack"],
                    r["action"],
                    _ms(r["on"]["p50"]),
                    _ms(r["off"]["p50"]),
                    "-" if r["overhead"] is None else f"{r['overhead'] * 100:+.1f}%",
                    "-" if r["on"]["per_s"] is None else f"{r['on']['per_s']:.0f}",
                    "-" if r["off"]["per_s"] is None else f"{r['off']['per_s']:.0f}",
                ]
                for r in ab
            ],
        )
        if ab
        else NOT_MEASURED,
    ]
    return Section("The floor", blocks)


class Floor(Phase):
    """GET /health/ of every service, and each stack's list beside a bare WSGI app serving
    its very bytes under the same gunicorn command (one client, tracing off)."""

    name, in_summary = "floor", True

    def run(self, context: Context) -> None:
        context.say("the floor: GET /health/ of every service; each list beside a bare WSGI app")
        floor, samples = context.record.floor, context.options.floor_samples
        with context.untraced():
            floor.health = {
                k: probes.health_floors(s, samples=samples) for k, s in context.stacks.items()
            }
            floor.list = {
                k: probes.list_floor(s, limit=context.options.posts, samples=samples)
                for k, s in context.stacks.items()
            }
        for kind, figures in floor.list.items():
            context.say(
                f"  {kind} list p50 {records.ms(figures['list']['p50_ms'])}, the same bytes "
                f"from memory {records.ms(figures['wsgi_floor']['p50_ms'])}"
            )

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [section(record.as_mapping())]
