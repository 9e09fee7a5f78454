"""Configuration from environment variables, with safe local defaults."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TRACKER_INSTANCE_DIR", BASE_DIR / "instance"))


def _secret_key() -> str:
    """Use SECRET_KEY if set; otherwise keep one random key per installation.

    A key written to the instance folder survives restarts, so a restart does not
    sign everybody out, and no default key ever ships in the code.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Some hosts still hand out the old scheme; psycopg 3 wants its own driver name.
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'tracker.db'}"


def _flag(name: str, default: bool | None) -> bool | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SERVICE_NAME = "Safeguarding action plan tracker"

    # Sign-in sessions: signed, time-stamped cookies the server refuses after this long idle (each
    # request re-stamps them); signing out replaces the account's session token, ending them all.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("SESSION_LIFETIME_MINUTES", "30")))
    SESSION_REFRESH_EACH_REQUEST = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Unset: Secure except over plain http to 127.0.0.1/localhost (security.SessionCookies).
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", None)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session

    # Guessing passwords: after this many wrong ones for one email address, or from one client
    # address, within the window, sign-in is refused there for the lock time. Counted in the database.
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", "5"))
    SIGN_IN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("SIGN_IN_MAX_FAILURES_PER_ADDRESS", "20"))
    SIGN_IN_THROTTLE_WINDOW_MINUTES = int(os.environ.get("SIGN_IN_THROTTLE_WINDOW_MINUTES", "15"))
    SIGN_IN_LOCK_MINUTES = int(os.environ.get("SIGN_IN_LOCK_MINUTES", "15"))
    # The forgotten-password, invitation and reset pages: reset links asked for and passwords tried
    # through a link, per email address and per client address, within the same window and lock.
    ACCOUNT_LINK_MAX_PER_EMAIL = int(os.environ.get("ACCOUNT_LINK_MAX_PER_EMAIL", "5"))
    ACCOUNT_LINK_MAX_PER_ADDRESS = int(os.environ.get("ACCOUNT_LINK_MAX_PER_ADDRESS", "20"))
    # Sign-in events older than this are removed by `flask tracker prune-sign-ins`.
    SIGN_IN_EVENTS_KEEP_DAYS = int(os.environ.get("SIGN_IN_EVENTS_KEEP_DAYS", "365"))
    # Reverse proxies in front of the tracker whose X-Forwarded-* headers are believed (0: none,
    # so no header a client sends can change the address it is counted under).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # Where new evidence files are kept (tracker/evidence_store): database, s3 or folder. Unset: s3
    # when a bucket is set, else the database on PostgreSQL, else the folder (SQLite: one machine).
    EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE", "")
    EVIDENCE_S3_BUCKET = os.environ.get("EVIDENCE_S3_BUCKET", "")
    EVIDENCE_S3_PREFIX = os.environ.get("EVIDENCE_S3_PREFIX", "evidence/")
    EVIDENCE_S3_ENDPOINT_URL = os.environ.get("EVIDENCE_S3_ENDPOINT_URL", "")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "evidence"))
    # Any request but the progress update form, which reads larger bodies (tracker/uploads.py) so a
    # file over 20 MB is refused in the form with the owner's text kept.
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024

    # Email for reminders and notifications.
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Safeguarding action plan tracker <tracker@localhost>")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _flag("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
