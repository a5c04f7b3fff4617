"""Rebuild the query service's read model from the event store (or catch up without wiping)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from micro.query import handlers
from shared.api.errors import ServiceUnavailable


class Command(BaseCommand):
    help = (
        "Wipe the read model and this service's inbox, then apply every event the event bus "
        "has stored, page by page, through the same handlers as live delivery."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-wipe",
            action="store_true",
            help="Keep the read model and replay on top of it (already applied events are "
            "skipped).",
        )

    def handle(self, *args, no_wipe: bool = False, **options):
        try:
            applied = handlers.read_model_rebuild(wipe=not no_wipe)
        except ServiceUnavailable as error:
            raise CommandError(str(error.detail)) from error
        self.stdout.write(f"Applied {applied} events from the event store.")
