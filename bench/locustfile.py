"""Locust users for bench/load.py: action owners of the benchmark partnership going about their work.

Runs inside Locust's own virtual environment (.venv-bench), so it imports nothing from the tracker.
bench/load.py writes the owners and their actions to the JSON file named by LOAD_USERS_FILE; each
simulated person signs in as one of those owners (in turn), then mixes the dashboard, a plan's page,
"My actions", their actions' pages and progress updates (the form opened, then posted with its CSRF
token and version stamp, as a browser does), with a pause between pages as a person reading them.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time

import gevent
from locust import HttpUser, between, events, task

with open(os.environ["LOAD_USERS_FILE"], encoding="utf-8") as _file:
    _WORLD = json.load(_file)
_OWNERS = itertools.cycle(_WORLD["owners"])
_PLANS: list[int] = _WORLD["plans"]
_PASSWORD: str = _WORLD["password"]
_WAIT = [float(x) for x in os.environ.get("LOAD_WAIT", "1-3").split("-")]
_HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|version|opened_at)"[^>]*value="([^"]*)"')
_HIDDEN_REVERSED = re.compile(r'<input[^>]*value="([^"]*)"[^>]*name="(csrf_token|version|opened_at)"')
RAGS = ("red", "amber", "green")
_USERS = int(os.environ["LOAD_USERS"])
_DURATION = float(os.environ["LOAD_DURATION"])
# The measured run starts once every simulated person has signed in (sign-ins are slow on purpose and
# all come at once, which is not the working day being measured) and lasts LOAD_DURATION seconds.
_run = {"signed_in": 0, "started_at": None, "ended_at": None}
_times: dict[str, list[float]] = {}
_errors: dict[str, list[str]] = {}


@events.request.add_listener
def _measured(name, response_time, exception, **_kwargs) -> None:
    if _run["started_at"] is None or _run["ended_at"] is not None or name == "sign in":
        return
    _times.setdefault(name, []).append(response_time)
    if exception is not None:
        _errors.setdefault(name, []).append(str(exception)[:200])


@events.quitting.add_listener
def _write_result(environment, **_kwargs) -> None:
    started, ended = _run["started_at"], _run["ended_at"] or time.monotonic()
    with open(os.environ["LOAD_RESULT_FILE"], "w", encoding="utf-8") as file:
        json.dump({"seconds": ended - started if started else 0, "times": _times, "errors": _errors}, file)


def _end(environment) -> None:
    _run["ended_at"] = time.monotonic()
    environment.runner.quit()


def hidden_fields(html: str) -> dict[str, str]:
    """The form's hidden fields (CSRF token, version stamp, when it was opened), whatever the attribute order."""
    fields = {name: value for name, value in _HIDDEN.findall(html)}
    fields.update({name: value for value, name in _HIDDEN_REVERSED.findall(html)})
    return fields


class ActionOwner(HttpUser):
    wait_time = between(*_WAIT) if len(_WAIT) == 2 else between(_WAIT[0], _WAIT[0])

    def on_start(self) -> None:
        # A new connection for each request. gunicorn (as `make run` starts it) closes a kept-alive connection
        # after 2 s idle; a request sent on it at that instant is reset, which a browser quietly sends again
        # but this client would count as an error of the tracker's.
        self.client.headers["Connection"] = "close"
        owner = next(_OWNERS)
        self.actions: list[int] = owner["actions"]
        page = self.client.get("/sign-in", name="sign in")
        with self.client.post(
            "/sign-in",
            data={**hidden_fields(page.text), "email": owner["email"], "password": _PASSWORD},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/sign-in" in response.headers.get("Location", ""):
                response.failure(f"sign-in refused for {owner['email']}: {response.status_code}")
        _run["signed_in"] += 1
        if _run["signed_in"] == _USERS:
            _run["started_at"] = time.monotonic()
            gevent.spawn_later(_DURATION, _end, self.environment)
        while _run["started_at"] is None:
            gevent.sleep(0.1)

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/dashboard", name="/dashboard")

    @task(2)
    def plan_page(self) -> None:
        self.client.get(f"/plans/{random.choice(_PLANS)}", name="/plans/<id>")

    @task(3)
    def my_actions(self) -> None:
        self.client.get("/my-actions", name="/my-actions")

    @task(4)
    def action_page(self) -> None:
        self.client.get(f"/actions/{random.choice(self.actions)}", name="/actions/<id>")

    @task(1)
    def progress_update(self) -> None:
        action_id = random.choice(self.actions)
        form = self.client.get(f"/actions/{action_id}/update", name="/actions/<id>/update (form)")
        if not form.ok:
            return  # counted as an error above; there is no form to send
        data = {
            **hidden_fields(form.text),
            "delivery_rag": random.choice(RAGS),
            "outcome_rag": random.choice(RAGS),
            "status": "in_progress",
            "commentary": "Load test: partners met and agreed the next steps.",
        }
        with self.client.post(
            f"/actions/{action_id}/update",
            data=data,
            name="/actions/<id>/update (save)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # 302: saved. 409: someone else changed the action since the form opened (two owners of one
            # action at once), which the tracker answers by showing what changed: correct, not an error.
            if response.status_code in (302, 409):
                response.success()
            else:
                response.failure(f"update not saved: {response.status_code}")
