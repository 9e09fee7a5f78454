"""Collect the test suite twice, in two separate processes, and fail unless both give the same test ids.

pytest-xdist has every worker collect the suite on its own and aborts the run when two workers
collect different tests; an id built from something that changes between processes (the clock,
a random value, an object's address) does exactly that, and only some of the time. This check
makes it fail every time instead, before any test runs. It also refuses ids that carry an object's
memory address: give such parameters ids=... in the test.

    .venv/bin/python scripts/check_test_ids.py [pytest paths...]
"""

from __future__ import annotations

import os
import re
import subprocess  # nosec B404 - runs this interpreter's own pytest, never a shell
import sys

# An object's memory address in an id differs in every process. (Escapes of characters pytest will
# not show as they are, "\u201c", are the same every time: the comparison below covers them.)
UNREADABLE = re.compile(r"\bat 0x[0-9a-f]+")


def collect(paths: list[str], hash_seed: int) -> list[str]:
    # Each collection with its own string hashing, as xdist workers may have: a set's order differs.
    environment = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    completed = subprocess.run(  # noqa: S603  # nosec B603 - our own interpreter running pytest on paths given by the caller
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    if completed.returncode != 0:
        sys.exit(f"Collecting the tests failed:\n{completed.stdout}{completed.stderr}")
    return [line for line in completed.stdout.splitlines() if "::" in line]


def main(paths: list[str]) -> int:
    # The second collection starts seconds after the first, so anything read from the clock differs.
    first, second = collect(paths, 1), collect(paths, 2)
    problems = []
    if first != second:
        only_first = sorted(set(first) - set(second))
        only_second = sorted(set(second) - set(first))
        problems.append("Two collections of the suite gave different test ids:")
        problems += [f"  first only:  {test_id[:200]}" for test_id in only_first[:20]]
        problems += [f"  second only: {test_id[:200]}" for test_id in only_second[:20]]
        if not only_first and not only_second:
            problems.append("  (the same ids, in a different order)")
    unreadable = [test_id for test_id in first if UNREADABLE.search(test_id)]
    if unreadable:
        problems.append("Test ids that are not readable text (give the parameters ids=...):")
        problems += [f"  {test_id[:200]}" for test_id in unreadable[:20]]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"Test ids: {len(first)} collected twice, the same both times.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
