"""`manage.py dead_letters`: the messages this service gave up on, with their errors."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from shared.messaging.models import DeadLetter


class Command(BaseCommand):
    help = "List this service's dead letters (newest first), as text or --json."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="One JSON list on stdout.")

    def handle(self, *args, **options):
        letters = [
            {
                "id": letter.pk,
                "task_name": letter.task_name,
                "error": letter.error,
                "message": letter.message,
                "created_at": letter.created_at.isoformat(),
                "replayed_at": letter.replayed_at.isoformat() if letter.replayed_at else None,
            }
            for letter in DeadLetter.objects.all()
        ]
        if options["json"]:
            self.stdout.write(json.dumps(letters))
            return
        for letter in letters:
            self.stdout.write(f"#{letter['id']} {letter['task_name']}: {letter['error']}")
        self.stdout.write(f"{len(letters)} dead letter(s)")
