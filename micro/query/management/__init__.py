"""Management commands of the query service."""
