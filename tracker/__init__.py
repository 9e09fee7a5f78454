"""The safeguarding action-plan tracker: create_app() builds the Flask application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    from config import Config
    from tracker import access, cli, errors, evidence_store, security, template_helpers, transactions, uploads
    from tracker.extensions import csrf, db, login_manager, migrate
    from tracker.views import register_blueprints

    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    uploads.init_app(app)
    app.config.from_object(Config)
    app.config.update(overrides or {})
    if proxies := int(app.config["TRUSTED_PROXIES"]):
        # Believe X-Forwarded-For/-Proto/-Host only as set by our own proxies, never as a client sends them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])  # fmt: skip
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    transactions.init_app(app)
    evidence_store.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    WTFormsHelpers(app)

    access.init_app(app)
    security.init_app(app)
    template_helpers.init_app(app)
    errors.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
    return app
