"""Scratch databases for the benchmarks: an empty SQLite file, or an empty PostgreSQL database."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

OUT = Path(__file__).resolve().parent / "out"  # ignored by git
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def fresh_sqlite_url(name: str) -> str:
    """bench/out/<name>.db, removed first with its write-ahead log."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgres_url(database: str) -> str | None:
    """The database dropped and created again on BENCH_POSTGRES_URL's server; None (said) when unreachable."""
    server = make_url(os.environ.get("BENCH_POSTGRES_URL", POSTGRES_SERVER))
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    except Exception as error:  # no server: say so and bench the rest
        print(f"PostgreSQL not reachable ({error.__class__.__name__}); skipped.")
        return None
    finally:
        admin.dispose()
    return server.set(database=database).render_as_string(hide_password=False)


def settle(engine) -> None:
    """Leave a freshly generated database as a running installation's would be by the time anyone
    reads it: fresh statistics and, on PostgreSQL, the visibility map autovacuum keeps, which lets a
    count or a stretch of an index be read from the index alone."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
