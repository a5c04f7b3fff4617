"""Every phase of the benchmark, once, in the order a run runs them; and the order the
report shows their sections in (with the parts that belong to no single phase).

The order of the run is deliberate: the request counts first (fresh stacks, small trace
files), then the seed; every read before any write, so that every list is the same seeded
posts and comments; micro's asynchronous work drained after every write run, so that it
never spills into the next run (and its CPU is charged to the run that caused it). The open
loop runs twice: the lists before the writes, the comments after (their closed-loop
throughput sets its rate).

Adding a phase: a module with a `Phase` subclass (stacks/compare/phase.py), one line in
PHASES, and, if it has sections, its name in REPORT_ORDER.
"""

from __future__ import annotations

from stacks.compare import overview
from stacks.compare.failure_matrix import FailureMatrix
from stacks.compare.floor import Floor
from stacks.compare.gateway_hop import GatewayHop
from stacks.compare.idle import AtRest
from stacks.compare.open_loop import OpenLoop
from stacks.compare.overload import Overload
from stacks.compare.pairs import Pairs
from stacks.compare.phase import Phase, ReportPart
from stacks.compare.probes import ClaimProbes
from stacks.compare.reads import Reads
from stacks.compare.reliability import Reliability
from stacks.compare.request_counts import RequestCounts
from stacks.compare.scaling import Scaling
from stacks.compare.seed import Seed
from stacks.compare.start import StartStacks
from stacks.compare.tracing_ab import TracingAB
from stacks.compare.workload import READ_ACTIONS, WRITE_ACTIONS
from stacks.compare.writes import Writes

PHASES: tuple[Phase, ...] = (
    StartStacks(),
    RequestCounts(),
    Seed(),
    Reads(),
    OpenLoop("list", (READ_ACTIONS[0], READ_ACTIONS[1])),
    Floor(),
    TracingAB(),
    GatewayHop(),
    Writes(),
    OpenLoop("add comment", (WRITE_ACTIONS[2], WRITE_ACTIONS[3])),
    Pairs(),
    Overload(),
    AtRest(),
    Scaling(),
    ClaimProbes(),
    FailureMatrix(),
    Reliability(),
)

# The report's order, by part name: a phase's sections (once, however often it runs) or
# one of the parts several phases measure together (stacks/compare/overview.py).
REPORT_ORDER = (
    "header",
    "targets",
    "floor",
    "reads",
    "open_loop",
    "pairs",
    "consistency_lag",
    "cost",
    "cpu",
    "request_counts",
    "failure_matrix",
    "reliability",
    "overload",
    "scaling",
    "gateway_hop",
    "writes",
    "claims",
    "limits",
)


def report_parts() -> tuple[ReportPart, ...]:
    """The report's parts in REPORT_ORDER (the first phase of each name)."""
    by_name: dict[str, ReportPart] = {}
    for part in (*overview.PARTS, *PHASES):
        by_name.setdefault(part.name, part)
    return tuple(by_name[name] for name in REPORT_ORDER)
