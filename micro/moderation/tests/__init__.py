"""Unit tests of the moderation service."""
