"""`python -m bench` (make bench): run every benchmark in this folder, one after another."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    failures = 0
    for module_info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        run = getattr(module, "main", None)
        if callable(run):
            print(f"== bench.{module_info.name}")
            failures += bool(run())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
