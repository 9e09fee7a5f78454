"""One blueprint per audience; register_blueprints wires them all."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from tracker.views import actions, auth, dashboard, deadlines, imports, plans, system

    for module in (system, auth, plans, actions, deadlines, dashboard, imports):
        app.register_blueprint(module.bp)
