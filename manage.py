#!/usr/bin/env python
"""The one entry point: the monolith by default, a micro service with --settings,
and the project's own commands (`launch`, `demo`)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monolith.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
