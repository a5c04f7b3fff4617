"""Nothing lost, nothing doubled, nothing stuck: faults injected during a workload on micro.

Each fault runs during a workload of 200 actions; afterwards every accepted post and
comment must be present exactly once in its owner's database and in query, with the
status the moderation rule gives it.
"""

from __future__ import annotations

import pytest

from stacks.reliability import FAULTS, KNOWN_GAPS, run_fault

pytestmark = [pytest.mark.e2e, pytest.mark.reliability, pytest.mark.slow]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_during_a_workload_loses_and_doubles_nothing(micro_stack, fault):
    result = run_fault(micro_stack, fault, FAULTS[fault])
    assert result.accepted_posts + result.refused >= 20
    assert result.refused == 0, "every write should be accepted (the outbox absorbs the fault)"
    assert (result.converged, result.lost, result.applied_twice) == (True, 0, 0), result.doubled
    assert result.dead_letters_missing == 0, "each poison message is kept as a dead letter"


@pytest.mark.known_gap
@pytest.mark.parametrize("fault", list(KNOWN_GAPS))
def test_a_known_gap_during_a_workload(micro_stack, fault):
    """Fails today, sometimes: see KNOWN_GAPS. Not in `make test`; `make test-known-gaps`."""
    result = run_fault(micro_stack, fault, KNOWN_GAPS[fault])
    assert (result.converged, result.lost, result.applied_twice) == (True, 0, 0), result.doubled
