"""Signing in and out, accepting an invitation and resetting a forgotten password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from tracker.access import allow_signed_in, public
from tracker.extensions import db
from tracker.forms.auth import ForgotPasswordForm, NewPasswordForm, SignInForm
from tracker.mail import MailError
from tracker.services import account_emails, invitations, link_throttle, passwords
from tracker.services.account_tokens import TokenRefused
from tracker.services.accounts import AccountError, end_sessions
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


def _signed_in_as(user) -> None:
    """After a new password: a fresh session token, so any session opened with the old password ends."""
    end_sessions(user)
    session.clear()
    session.permanent = True
    login_user(user)


def _link_refused(error: TokenRefused, what: str):
    link_throttle.count_refused_link(request.remote_addr or "")  # guessing links is throttled per address
    return render_template("auth/link_refused.html", message=str(error), what=what), 404


def _too_many_link_attempts(what: str):
    return render_template("auth/link_refused.html", message=link_throttle.message(), what=what), 429


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """The invited person sets their password; the link then stops working and they are signed in."""
    address = request.remote_addr or ""
    if link_throttle.address_locked(address):
        return _too_many_link_attempts("invitation")
    try:
        invited = invitations.invitation_for(token)
    except TokenRefused as error:
        return _link_refused(error, "invitation")
    form = NewPasswordForm()
    if form.validate_on_submit():
        if not link_throttle.allow(invited.user.email, address):
            form.password.errors = [link_throttle.message()]
            return _set_password_page(form, "Set your password", invited.user.email), 429
        try:
            user = invitations.accept(token, form.password.data or "")
        except TokenRefused as error:
            db.session.rollback()
            return _link_refused(error, "invitation")
        except AccountError as error:
            db.session.rollback()
            link_throttle.record(invited.user.email, address)  # the rollback took the count with it
            form.password.errors = [*form.password.errors, str(error)]
        else:
            _signed_in_as(user)
            flash(f"Welcome, {user.name}. Your password has been set and you are signed in.", "success")
            return redirect(url_for("plans.index"))
    return _set_password_page(form, "Set your password", invited.user.email)


def _set_password_page(form: NewPasswordForm, heading: str, email: str) -> str:
    return render_template("auth/set_password.html", form=form, heading=heading, email=email)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if not link_throttle.allow(form.email.data or "", request.remote_addr or ""):
            form.email.errors = [link_throttle.message()]
            return render_template("auth/forgot_password.html", form=form), 429
        found = passwords.request_reset(form.email.data or "")
        if found is not None:
            user, raw = found
            try:
                account_emails.deliver(account_emails.password_reset(user, raw))
            except MailError as error:
                # The page must say the same either way, so the failure is only logged.
                current_app.logger.warning("Password reset email to %s not sent: %s", user.email, error)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    address = request.remote_addr or ""
    if link_throttle.address_locked(address):
        return _too_many_link_attempts("password reset")
    try:
        found = passwords.reset_for(token)
    except TokenRefused as error:
        return _link_refused(error, "password reset")
    form = NewPasswordForm()
    form.submit.label.text = "Save new password and sign in"
    if form.validate_on_submit():
        if not link_throttle.allow(found.user.email, address):
            form.password.errors = [link_throttle.message()]
            return _set_password_page(form, "Choose a new password", found.user.email), 429
        try:
            user = passwords.reset(token, form.password.data or "")
        except TokenRefused as error:
            db.session.rollback()
            return _link_refused(error, "password reset")
        except AccountError as error:
            db.session.rollback()
            link_throttle.record(found.user.email, address)  # the rollback took the count with it
            form.password.errors = [*form.password.errors, str(error)]
        else:
            _signed_in_as(user)
            flash("Your new password has been saved and you are signed in.", "success")
            return redirect(url_for("plans.index"))
    return _set_password_page(form, "Choose a new password", found.user.email)
