"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from tracker.access import allow_signed_in, public
from tracker.forms.auth import SignInForm
from tracker.services.accounts import end_sessions
from tracker.services.sign_in import attempt_sign_in, lock_minutes

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = (
    "Enter a correct email address and password. If your account has been disabled, contact the board business team."
)


def _safe_next(target: str | None) -> str | None:
    """Only follow a 'next' address on this site, never to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("plans.index"))
    form = SignInForm()
    if form.validate_on_submit():
        # request.remote_addr is the client's address after the configured trusted proxies (ProxyFix).
        attempt = attempt_sign_in(form.email.data or "", form.password.data or "", request.remote_addr or "")
        if attempt.refused:
            form.email.errors = [too_many_attempts_message()]
            return render_template("auth/sign_in.html", form=form), 429
        if attempt.user is not None:
            session.clear()
            session.permanent = True
            login_user(attempt.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("plans.index"))
        form.email.errors = [SIGN_IN_FAILED]
    return render_template("auth/sign_in.html", form=form)


def too_many_attempts_message() -> str:
    return f"Too many attempts. Try again in {lock_minutes()} minutes."


@bp.post("/sign-out")
@allow_signed_in
def sign_out():
    end_sessions(current_user._get_current_object())  # type: ignore[attr-defined]
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
