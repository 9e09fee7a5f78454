"""Record a progress update with a file in a process of its own that stops dead at a chosen point,
for the tests that kill it there (a gunicorn worker killed mid-request).

python -m tests.killed_update ACTION_ID EMAIL PASSWORD FILE MODULE:CLASS.METHOD N before|after

Signs in as the owner, opens the action's update form and sends it with FILE, as a browser
would, against DATABASE_URL and the evidence settings in the environment. On the Nth call of
the method (counted from the moment the form is sent) it prints "stopped" and waits, before the
call when "before", just after it when "after", for the test to SIGKILL it: nothing further
runs, not even a rollback or the undo of a file written, exactly as when a worker dies.
"""

from __future__ import annotations

import importlib
import io
import re
import sys
import time
from pathlib import Path


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no {name} on the page"
    return match.group(1)


def main() -> None:
    action_id, email, password, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
    target, stop_on, when = sys.argv[5], int(sys.argv[6]), sys.argv[7]
    from tracker import create_app

    app = create_app()
    client = app.test_client()
    token = _hidden(client.get("/sign-in").get_data(as_text=True), "csrf_token")
    signed_in = client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})
    assert signed_in.status_code == 302, "sign-in failed"
    form = client.get(f"/actions/{action_id}/update").get_data(as_text=True)
    fields = {name: _hidden(form, name) for name in ("csrf_token", "version", "opened_at")}

    module_name, _, attribute = target.partition(":")
    owner = importlib.import_module(module_name)
    if "." in attribute:
        class_name, attribute = attribute.split(".")
        owner = getattr(owner, class_name)
    original = getattr(owner, attribute)
    calls = [0]

    def stop_here(*args, **kwargs):
        calls[0] += 1
        if calls[0] == stop_on and when == "before":
            _stop()
        result = original(*args, **kwargs)
        if calls[0] == stop_on and when == "after":
            _stop()
        return result

    setattr(owner, attribute, stop_here)
    data = {**fields, "delivery_rag": "green", "outcome_rag": "not_rated", "status": "in_progress",
            "commentary": "Training delivered to all staff.", "evidence_file_title": "Attendance",
            "evidence_file": (io.BytesIO(path.read_bytes()), "attendance.pdf")}  # fmt: skip
    response = client.post(f"/actions/{action_id}/update", data=data, content_type="multipart/form-data")
    print(f"finished {response.status_code}", flush=True)


def _stop() -> None:
    print("stopped", flush=True)
    time.sleep(300)  # the test kills us long before this ends


if __name__ == "__main__":
    main()
