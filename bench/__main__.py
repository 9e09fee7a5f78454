"""`python -m bench` (make bench): run every benchmark, one after another."""

from __future__ import annotations

import importlib
import sys

# The benchmarks; bench.generate is the data generator they use, not a benchmark.
BENCHMARKS = ("auto_amber", "dashboard", "progress_pages", "reports", "import", "evidence_stores")


def main() -> int:
    failures = 0
    for name in BENCHMARKS:
        print(f"== bench.{name}", flush=True)
        result = importlib.import_module(f"bench.{name}").main()
        failures += bool(result)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
