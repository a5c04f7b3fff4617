"""The `compare` benchmark: one workload on both stacks, interleaved, written up as a report."""
