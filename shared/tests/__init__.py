"""Unit tests of what both stacks share: rules, events, settings from the environment, the API."""
