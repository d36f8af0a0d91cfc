#!/usr/bin/env python
"""Django's command-line utility for the council site."""

import os
import sys
from pathlib import Path


def main() -> None:
    # site/ cannot be a package (Python's own `site` module wins), so it goes on the path instead.
    sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "council.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
