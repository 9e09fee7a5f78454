"""Run a scheduled job in a process of its own that stops dead at a chosen point, for the tests that kill it.

python -m tests.killed_job JOB YYYY-MM-DD MODULE:FUNCTION N      (or MODULE:CLASS.METHOD)

Runs tracker.jobs.JOB for the date against DATABASE_URL (from the environment). On the Nth call
of that function it prints "stopped" and waits, before the call does anything, for the test
to kill the process with SIGKILL: nothing after that point runs, not even a rollback, exactly
as when a server dies.
"""

from __future__ import annotations

import importlib
import sys
import time
from datetime import date


def main() -> None:
    job_name, day, target, stop_on = sys.argv[1], date.fromisoformat(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    from tracker import create_app, jobs

    app = create_app()
    module_name, _, attribute = target.partition(":")
    owner = importlib.import_module(module_name)
    if "." in attribute:  # a method: Class.method
        class_name, attribute = attribute.split(".")
        owner = getattr(owner, class_name)
    original = getattr(owner, attribute)
    calls = [0]

    def stop_here(*args, **kwargs):
        calls[0] += 1
        if calls[0] == stop_on:
            print("stopped", flush=True)
            time.sleep(300)  # the test kills us long before this ends
        return original(*args, **kwargs)

    setattr(owner, attribute, stop_here)
    with app.app_context():
        getattr(jobs, job_name)(day)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
