"""User accounts: creating them, checking passwords, signing in."""

from __future__ import annotations

import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Role, User

# Argon2id with the library's recommended cost; the test suite lowers it through the environment.
_hasher = PasswordHasher(
    time_cost=int(os.environ.get("ARGON2_TIME_COST", "3")),
    memory_cost=int(os.environ.get("ARGON2_MEMORY_COST_KIB", "65536")),
)
# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")

MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, name: str, role: Role | str, password: str) -> User:
    try:
        email = validate_email(normalise_email(email), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"Enter a real email address, like name@example.org ({error}).") from None
    if not name.strip():
        raise AccountError("Enter the person's name.")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"Choose a role: {', '.join(r.value for r in Role)}.") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise AccountError(f"An account for {email} already exists.")
    user = User(email=email, name=name.strip(), role=role, password_hash=_hasher.hash(password))
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The enabled account with this email and password, or None, whichever part was wrong."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    stored = user.password_hash if user else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_enabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_signed_in_at = clock.now()
    return user


def start_session(user: User) -> None:
    """Give the account a session token if it has none; sessions already open elsewhere carry on."""
    if not user.session_token:
        user.session_token = secrets.token_urlsafe(32)
        db.session.flush()


def end_sessions(user: User) -> None:
    """A new token: every session cookie made with the old one, even a copy, stops working at once."""
    user.session_token = secrets.token_urlsafe(32)
    db.session.flush()
