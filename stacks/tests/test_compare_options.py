"""`manage.py compare`'s sizes: its defaults and the defaults its help names are the plan's."""

from __future__ import annotations

import dataclasses
import re

from stacks.compare.plan import FULL, QUICK, Sizes
from stacks.management.commands.compare import Command

# The option that sets each size, where its name is not the size's.
OPTION_OF = {"pair_clients": "clients", "levels": "concurrency"}
# The sizes no option sets.
NO_OPTION = {
    "lag_comments",
    "lag_checks",
    "warm_up_seconds",
    "floor_samples",
    "tracing_repetitions",
}


def parser():
    return Command().create_parser("manage.py", "compare")


def sizes(*args: str) -> Sizes:
    """The sizes of the run `compare <args>` would start."""
    options = Command().options_from(vars(parser().parse_args(list(args))))
    return Sizes(
        **{field.name: getattr(options, field.name) for field in dataclasses.fields(Sizes)}
    )


def test_a_run_without_options_has_the_full_sizes():
    assert sizes() == FULL


def test_a_quick_run_has_the_quick_sizes():
    assert sizes("--quick") == QUICK


def test_an_option_replaces_only_its_own_size():
    given = sizes("--quick", "--duration", "7", "--concurrency", "2,1", "--max-writes", "9")
    assert given == dataclasses.replace(QUICK, duration=7.0, levels=(1, 2), max_writes=9)


def test_the_pair_run_takes_several_client_counts():
    assert sizes("--clients", "50,16,16").pair_clients == (16, 50)


def test_the_help_names_the_sizes_a_run_uses():
    helps = {action.dest: action.help for action in parser()._actions}
    for field in dataclasses.fields(Sizes):
        if field.name in NO_OPTION:
            continue
        text = helps[OPTION_OF.get(field.name, field.name)]
        full, quick = getattr(FULL, field.name), getattr(QUICK, field.name)
        if field.name in ("levels", "pair_clients"):
            named = re.search(r"default ([\d,]+); ([\d,]+) with --quick", text)
            assert named and named.groups() == tuple(
                ",".join(map(str, levels)) for levels in (full, quick)
            ), text
            continue
        named = re.search(r"default ([\d.]+)(?:; ([\d.]+) with --quick)?\)", text)
        assert named, text
        assert float(named[1]) == full, text
        assert float(named[2] or named[1]) == quick, text
