"""Management commands of the query service: rebuild the read model from the event store."""
