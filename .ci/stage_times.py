"""Prints how long each stage of `make test` took, from the file the Makefile's stages append
to ("start <epoch>" first, then "<stage> <seconds>" as each ends), with set-up (installing,
building assets, the demo database) as what is left of the total. CI allows 90 minutes."""

import sys
import time
from pathlib import Path

NAMES = {
    "lint": "Lint (ruff, migrations, import layers, mypy)",
    "test-sqlite": "SQLite: what differs, and what make run relies on",
    "test-postgres": "PostgreSQL: the whole suite",
    "test-fuzz": "Fuzz: generated inputs per demo flow",
    "test-scan": "Web-vulnerability scan (wapiti)",
    "test-browser": "Browser (chromium, axe)",
}


def minutes(seconds: int) -> str:
    return f"{seconds // 60:3d} min {seconds % 60:02d} s"


def main(path: str) -> None:
    lines = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    start = next(int(value) for name, value in lines if name == "start")
    stages = [(name, int(value)) for name, value in lines if name != "start"]
    total = int(time.time()) - start
    print("\n== Stage times ==")
    setup = total - sum(seconds for _, seconds in stages)
    print(f"  {'Set-up (install, assets, demo database)':<52}{minutes(setup)}")
    for name, seconds in stages:
        print(f"  {NAMES.get(name, name):<52}{minutes(seconds)}")
    print(f"  {'Total':<52}{minutes(total)}")


if __name__ == "__main__":
    main(sys.argv[1])
