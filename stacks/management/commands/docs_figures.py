"""`manage.py docs_figures <report dir>`: the study guide's figures from that run's raw.json."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stacks.compare.figures import write_figures
from stacks.launcher import PROJECT_DIR


class Command(BaseCommand):
    help = (
        "Write the guide's figures (one markdown snippet per chapter, PNG charts, raw.json) "
        "into docs/figures/ and the README's figures block, from a compare report's raw.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("report_dir", help="A folder `manage.py compare` wrote (raw.json).")
        parser.add_argument("--docs", default=str(PROJECT_DIR / "docs"), help="The guide.")
        parser.add_argument(
            "--readme",
            default=str(PROJECT_DIR / "README.md"),
            help="The README whose figures block is rewritten ('' to leave it alone).",
        )

    def handle(self, *args, **options):
        source = Path(options["report_dir"]) / "raw.json"
        if not source.is_file():
            raise CommandError(f"report_dir: {source} does not exist")
        try:
            raw = json.loads(source.read_text())
        except ValueError as error:
            raise CommandError(f"report_dir: {source} is not JSON ({error})") from error
        readme = Path(options["readme"]) if options["readme"] else None
        try:
            written = write_figures(raw, Path(options["docs"]), readme)
        except (KeyError, ValueError) as error:
            raise CommandError(f"report_dir: {source}: {error}") from error
        for path in written:
            self.stdout.write(f"wrote {path}")
