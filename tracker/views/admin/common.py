"""What the administration views share: the signed-in administrator, and putting a refusal on a form."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_wtf import FlaskForm

from tracker.extensions import db
from tracker.models import User


def actor() -> User:
    return current_user._get_current_object()  # the model itself, for services


def get_or_404(model, object_id: int):
    return db.session.get(model, object_id) or abort(404)


def refuse(form: FlaskForm, field_name: str | None, message: str) -> None:
    """Undo what the service changed and show its message on the field (the first one if none)."""
    db.session.rollback()
    field = getattr(form, field_name, None) if field_name else None
    if field is None:
        field = next(f for f in form if f.type not in ("CSRFTokenField", "SubmitField", "HiddenField"))
    field.errors = [*field.errors, message]
