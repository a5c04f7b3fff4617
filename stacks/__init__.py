"""Launch whole stacks (monolith, micro) on loopback, drive them, and compare them."""
