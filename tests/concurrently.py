"""Running a job in several threads at once, as two servers would, for the tests that race them."""

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_at_once(app, job: Callable[[], T], times: int = 2) -> tuple[list[T], list[Exception]]:
    """Start `job` in `times` threads at the same moment, each in its own app context: (results, errors).

    Errors are returned rather than lost in their thread, so a test can assert there were none.
    """
    start = threading.Barrier(times)
    results: list[T] = []
    errors: list[Exception] = []

    def run() -> None:
        with app.app_context():
            start.wait()
            try:
                results.append(job())
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
