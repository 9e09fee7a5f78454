"""User accounts: creating them, checking passwords, signing in."""

from __future__ import annotations

import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from zxcvbn import zxcvbn

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
MAX_PASSWORD_LENGTH = 1000
# zxcvbn's score runs 0 (guessed at once) to 4; 3 means "safely unguessable" for an online attack.
MIN_PASSWORD_SCORE = 3
# zxcvbn's run time grows with the length; the first characters decide whether a password is common.
_SCORED_CHARACTERS = 100
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 320


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str, *known: str) -> str | None:
    """The one password rule, as the message to show, or None when the password will do.

    At least 12 characters, and not guessable: zxcvbn's score of 3 or more, and not one of the
    common passwords in its list (however capitalised). `known` are the person's own name and
    email, which zxcvbn counts as easy guesses.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Enter a password of {MAX_PASSWORD_LENGTH:,} characters or fewer"
    scored = password[:_SCORED_CHARACTERS]
    result = zxcvbn(scored, user_inputs=[part for value in known for part in value.lower().split() if part])
    sequence = result["sequence"]
    whole_common = (
        len(sequence) == 1 and sequence[0]["pattern"] == "dictionary" and sequence[0]["dictionary_name"] == "passwords"
    )
    if whole_common or result["score"] < MIN_PASSWORD_SCORE:
        return "Enter a password that is harder to guess: use three or more unrelated words, not a common password"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def checked_email(email: str) -> str:
    """The email address as stored (lower case), or AccountError saying how to fix it."""
    if len(email) > MAX_EMAIL_LENGTH:
        raise AccountError(f"Enter an email address of {MAX_EMAIL_LENGTH} characters or fewer")
    try:
        return validate_email(normalise_email(email), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AccountError("Enter an email address in the correct format, like name@example.org") from None


def email_in_use(email: str, other_than: int | None = None) -> bool:
    statement = select(User.id).where(func.lower(User.email) == email.lower())
    if other_than is not None:
        statement = statement.where(User.id != other_than)
    return db.session.scalar(statement) is not None


def new_account(email: str, name: str, role: Role | str) -> User:
    """A new account with no password yet (an invitation sets it); raises AccountError."""
    email = checked_email(email)
    if not name.strip():
        raise AccountError("Enter the person's name")
    if len(name.strip()) > MAX_NAME_LENGTH:
        raise AccountError(f"Enter a name of {MAX_NAME_LENGTH} characters or fewer")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"Choose a role: {', '.join(r.value for r in Role)}") from None
    if email_in_use(email):
        raise AccountError(f"An account for {email} already exists")
    # An empty hash matches no password, so the account cannot sign in until a password is set.
    user = User(email=email, name=name.strip(), role=role, password_hash="")  # nosec B106 - an empty hash matches no password
    db.session.add(user)
    db.session.flush()
    return user


def create_user(email: str, name: str, role: Role | str, password: str) -> User:
    problem = password_problem(password, email, name)
    if problem:
        raise AccountError(problem)
    user = new_account(email, name, role)
    user.password_hash = hash_password(password)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Give the account a new password that passes the rule (raises AccountError otherwise)."""
    problem = password_problem(password, user.email, user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)


def authenticate(email: str, password: str) -> User | None:
    """The enabled account with this email and password, or None, whichever part was wrong."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    # An account still waiting for its invitation to be accepted has no password to match.
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_enabled or not user.password_hash:
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
