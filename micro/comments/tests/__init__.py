"""Unit tests of the comments service."""
