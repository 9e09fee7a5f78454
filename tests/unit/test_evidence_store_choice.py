"""Which store new evidence files go to, from the settings; and settings that name no usable store."""

from __future__ import annotations

import pytest

from tracker import create_app
from tracker.evidence_store import StorageNotConfigured, choose, is_key, new_key

POSTGRES = "postgresql+psycopg://tracker@db/tracker"
SQLITE = "sqlite:///instance/tracker.db"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"SQLALCHEMY_DATABASE_URI": SQLITE}, "folder"),  # one machine: today's folder
        ({"SQLALCHEMY_DATABASE_URI": POSTGRES}, "database"),  # several servers may share it
        ({"SQLALCHEMY_DATABASE_URI": POSTGRES, "EVIDENCE_S3_BUCKET": "evidence"}, "s3"),
        ({"SQLALCHEMY_DATABASE_URI": SQLITE, "EVIDENCE_S3_BUCKET": "evidence"}, "s3"),
        ({"SQLALCHEMY_DATABASE_URI": POSTGRES, "EVIDENCE_STORAGE": "folder"}, "folder"),
        ({"SQLALCHEMY_DATABASE_URI": SQLITE, "EVIDENCE_STORAGE": " Database "}, "database"),
        ({"SQLALCHEMY_DATABASE_URI": POSTGRES, "EVIDENCE_STORAGE": "database", "EVIDENCE_S3_BUCKET": "b"}, "database"),
    ],
    ids=["sqlite", "postgresql", "bucket", "bucket-on-sqlite", "folder-asked", "database-asked", "asked-wins"],
)
def test_the_store_follows_the_settings(settings, expected):
    assert choose(settings) == expected


def test_an_unknown_store_is_refused_with_the_choices():
    with pytest.raises(StorageNotConfigured, match="EVIDENCE_STORAGE must be one of database, s3, folder"):
        choose({"EVIDENCE_STORAGE": "dropbox"})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"EVIDENCE_STORAGE": "s3"}, "EVIDENCE_S3_BUCKET is not set"),
        ({"EVIDENCE_STORAGE": "nfs"}, "EVIDENCE_STORAGE must be one of"),
    ],
    ids=["s3-without-bucket", "unknown"],
)
def test_the_tracker_will_not_start_with_a_store_it_cannot_use(settings, message, tmp_path):
    with pytest.raises(StorageNotConfigured, match=message):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'tracker.db'}", **settings})


def test_new_keys_are_random_hex_and_nothing_else_is_a_key():
    keys = {new_key() for _ in range(50)}
    assert len(keys) == 50 and all(is_key(key) for key in keys)
    for name in ["", "../" + new_key()[3:], new_key().upper(), new_key() + ".part", new_key()[:-1] + "g"]:
        assert not is_key(name)
