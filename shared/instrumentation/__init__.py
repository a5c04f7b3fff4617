"""What each action costs: request ids, per-action tallies, trace records and Prometheus metrics."""
