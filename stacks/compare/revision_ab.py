"""Two revisions of micro, side by side: the interleaved A/B that every speed change of issue 11
was judged by, reproducible from the repository.

    .venv/bin/python -m stacks.compare.revision_ab BASE [NEW] [--rounds 4] [--duration 10]
        [--clients 16,50] [--port-base 9400]

BASE and NEW are git revisions; NEW defaults to this working tree as it is (uncommitted
changes included: what you measure before you commit). Each revision other than the working
tree is checked out in a temporary `git worktree` that uses this checkout's .venv. Both
stacks are launched at once (`manage.py launch micro --fresh`, SQLite, a private Redis
each, ports port-base+1.. and port-base+21..), so they share the machine's mood; then every
round runs closed-loop post + comment pairs at each client count on one stack and then the
other, the order swapped every round, and waits for each to drain before reading its CPU
(utime + stime from /proc, every process with its forks, labelled `<service>-web`,
`<service>-worker`, `redis`). It prints, per client count, the median over the rounds of
pairs/s and CPU per pair (the stack's and each process's), then each stack's PSS after the
load, as markdown. `compare` stays the judge of the targets; this is for "did this change
pay", which a full compare on a machine whose speed moves by 2x in an hour cannot say.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from stacks.compare import cost
from stacks.compare.cost import _children_by_parent, cpu_seconds, process_tree, status_kb
from stacks.compare.loadgen import Workload, run_closed_loop
from stacks.compare.stats import median
from stacks.routes import STACK_SERVICES

ROOT = Path(__file__).resolve().parents[2]
WORKING_TREE = "."
READY_LINE = "all healthy"
LAUNCH_TIMEOUT = 180.0
DRAIN_TIMEOUT = 120.0


@dataclass
class Launched:
    """One revision's micro stack, started by its own checkout's launcher."""

    label: str
    checkout: Path
    port_base: int
    run_dir: Path
    process: subprocess.Popen | None = None
    rounds: dict[int, list[dict]] = field(default_factory=dict)

    @property
    def urls(self) -> dict[str, str]:
        services = [spec.name for spec in STACK_SERVICES["micro"]]
        return {
            name: f"http://127.0.0.1:{self.port_base + number}"
            for number, name in enumerate(services, start=1)
        }

    def start(self) -> None:
        log = (self.run_dir.parent / f"{self.run_dir.name}.log").open("w")
        command = [
            str(ROOT / ".venv" / "bin" / "python"), "manage.py", "launch", "micro", "--fresh",
            "--port-base", str(self.port_base), "--run-dir", str(self.run_dir),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=self.checkout, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def wait_ready(self) -> None:
        log = self.run_dir.parent / f"{self.run_dir.name}.log"
        deadline = time.monotonic() + LAUNCH_TIMEOUT
        while time.monotonic() < deadline:
            if READY_LINE in log.read_text(errors="replace"):
                return
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.5)
        raise SystemExit(f"{self.label}: the stack did not start; see {log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def processes(self) -> dict[str, list[int]]:
        """Label -> pids (each of the launcher's children with its forks)."""
        assert self.process is not None
        children = _children_by_parent()
        labelled: dict[str, list[int]] = {}
        for child in children.get(self.process.pid, []):
            labelled.setdefault(_label(child), []).extend(process_tree(child, children))
        return labelled

    def cpu(self) -> dict[str, float]:
        return {name: sum(map(cpu_seconds, pids)) for name, pids in self.processes().items()}

    def pss_mib(self) -> float:
        pids = [pid for group in self.processes().values() for pid in group]
        return sum(status_kb(pid, "Pss") for pid in pids) / 1024

    def queued(self) -> int:
        return cost.queued_in((self.run_dir / "redis_admin_url").read_text().strip())

    def wait_drained(self) -> None:
        """No message queued or in flight, and the stack's CPU time has stopped moving."""
        if not cost.wait_settled(
            lambda: sum(self.cpu().values()), self.queued, timeout=DRAIN_TIMEOUT
        ):
            raise SystemExit(f"{self.label}: still busy {DRAIN_TIMEOUT:g} s after a round")


def _label(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return f"pid {pid}"
    return label_of(command)


def label_of(command: str) -> str:
    """A launched process's name, from its command line."""
    if found := re.search(r"micro\.(\w+)\.wsgi", command):
        return f"{found[1]}-web"
    if found := re.search(r"shared\.messaging\.worker (\w+)", command):
        return f"{found[1]}-worker"
    if "redis-server" in command:
        return "redis"
    return command.split()[0].rsplit("/", 1)[-1]


def checkout_for(revision: str, scratch: Path) -> Path:
    if revision == WORKING_TREE:
        return ROOT
    where = scratch / re.sub(r"\W", "_", revision)
    subprocess.run(
        ["git", "worktree", "add", "--quiet", "--detach", str(where), revision],
        cwd=ROOT, check=True,
    )  # fmt: skip
    (where / ".venv").symlink_to(ROOT / ".venv")
    return where


def one_round(stack: Launched, clients: int, duration: float) -> dict:
    before = stack.cpu()
    result = run_closed_loop(
        Workload("micro", stack.urls, "pair"), concurrency=clients, duration=duration,
        processes=2,
    )  # fmt: skip
    stack.wait_drained()
    after = stack.cpu()
    ok = sum(sample["outcome"] == "ok" for sample in result["samples"])
    used = {name: after[name] - before.get(name, 0.0) for name in after}
    return {
        "pairs_per_s": ok / result["elapsed_s"],
        "failed": len(result["samples"]) - ok,
        "cpu_ms_per_pair": {name: 1000 * cpu / max(ok, 1) for name, cpu in used.items()},
    }


def _figure(rounds: list[dict], name: str | None) -> float:
    if name is None:
        return median(r["pairs_per_s"] for r in rounds) or 0.0
    if name == "total":
        return median(sum(r["cpu_ms_per_pair"].values()) for r in rounds) or 0.0
    return median(r["cpu_ms_per_pair"].get(name, 0.0) for r in rounds) or 0.0


def table(stacks: list[Launched], clients: int) -> str:
    a, b = (stack.rounds[clients] for stack in stacks)
    names = sorted({name for r in a + b for name in r["cpu_ms_per_pair"]})
    lines = [
        f"| {clients} clients (median of {len(a)} rounds) | {stacks[0].label} | "
        f"{stacks[1].label} |",
        "|---|---|---|",
        f"| pairs/s | {_figure(a, None):.1f} | {_figure(b, None):.1f} |",
        f"| failed requests | {sum(r['failed'] for r in a)} | {sum(r['failed'] for r in b)} |",
        f"| CPU per pair, all processes | {_figure(a, 'total'):.1f} ms | "
        f"{_figure(b, 'total'):.1f} ms |",
    ]
    lines += [f"| {n} | {_figure(a, n):.2f} ms | {_figure(b, n):.2f} ms |" for n in names]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stacks.compare.revision_ab")
    parser.add_argument("base", help="git revision measured first in odd rounds")
    parser.add_argument("new", nargs="?", default=WORKING_TREE, help="default: this tree")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--clients", default="16,50", help="comma-separated client counts")
    parser.add_argument("--port-base", type=int, default=9400)
    args = parser.parse_args(argv)
    client_counts = [int(part) for part in args.clients.split(",")]
    scratch = Path(tempfile.mkdtemp(prefix="revision-ab-"))
    stacks: list[Launched] = []
    try:
        for number, revision in enumerate((args.base, args.new)):
            label = "this tree" if revision == WORKING_TREE else revision
            stacks.append(
                Launched(
                    label,
                    checkout_for(revision, scratch),
                    args.port_base + 20 * number,
                    scratch / f"run-{number}",
                )
            )
        for stack in stacks:
            stack.start()
        for stack in stacks:
            stack.wait_ready()
        for number in range(args.rounds):
            for clients in client_counts:
                for stack in stacks if number % 2 == 0 else stacks[::-1]:
                    result = one_round(stack, clients, args.duration)
                    stack.rounds.setdefault(clients, []).append(result)
                    print(
                        f"round {number + 1} {clients:>3} clients {stack.label}: "
                        f"{result['pairs_per_s']:.1f} pairs/s, "
                        f"{sum(result['cpu_ms_per_pair'].values()):.1f} ms CPU per pair",
                        flush=True,
                    )
        print()
        for clients in client_counts:
            print(table(stacks, clients), end="\n\n")
        pss = " | ".join(f"{stack.pss_mib():.0f} MiB" for stack in stacks)
        print(f"| PSS after the load | {pss} |")
        return 0
    finally:
        for stack in stacks:
            stack.stop()
        for stack in stacks:
            if stack.checkout != ROOT:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(stack.checkout)], cwd=ROOT,
                    check=False,
                )  # fmt: skip
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
