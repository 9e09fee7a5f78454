"""One blueprint per audience; register_blueprints wires them all."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from tracker.views import (
        actions,
        admin,
        auth,
        dashboard,
        deadlines,
        imports,
        measure_imports,
        measures,
        plans,
        reports,
        sign_in_events,
        system,
    )

    modules = (
        system,
        auth,
        plans,
        actions,
        deadlines,
        dashboard,
        measures,
        measure_imports,
        reports,
        imports,
        admin,
        sign_in_events,
    )
    for module in modules:
        app.register_blueprint(module.bp)
