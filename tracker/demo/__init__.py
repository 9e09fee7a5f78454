"""The demo: the Coventry 2015 CSE action plan and one account per role.

The plan goes in through import_plan, the same path as a board's own CSV file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from tracker.demo.measures import load_demo_measures
from tracker.extensions import db
from tracker.importers.csv_plan import read_plan_csv
from tracker.importers.names import name_key
from tracker.models import Plan, Post, ReportingDate, Role, User
from tracker.services.accounts import create_user
from tracker.services.import_plan import ImportResult, NameBook, aliases_from_pairs, import_plan

DEMO_DIR = Path(__file__).parent / "coventry_2015"
DEMO_PLAN_NAME = "Coventry CSE Strategy Action Plan 2015–17"
# The demo plan's history starts when the real plan did, so past views of 2015 show it.
DEMO_LOADED_AT = datetime(2015, 3, 1, 9, 0)
DEMO_PLAN_DESCRIPTION = (
    "Coventry Safeguarding Children Board's multi-agency strategy against child sexual exploitation, "
    "organised as Prevent, Protect, Pursue and Public and Professional Confidence."
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str
    posts: tuple[str, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount("coordinator@example.org", "Cara Okafor", Role.ADMIN, "demo-admin-password"),
    DemoAccount(
        "owner@example.org",
        "Sam Patel",
        Role.OWNER,
        "demo-owner-password",
        ("CSE Co-ordinator", "CSE Service Manager"),
    ),
    DemoAccount("board@example.org", "Jo Whitfield", Role.BOARD, "demo-board-password"),
    DemoAccount("scrutiny@example.org", "Cllr Alex Morgan", Role.SCRUTINY, "demo-scrutiny-password"),
)


# Illustrative meetings for the demo (the source plan names none): quarterly board meetings and
# scrutiny committee, each with owners' updates due two weeks before.
DEMO_REPORTING_DATES = (
    ("LSCB board", date(2015, 6, 24), date(2015, 6, 10)),
    ("Scrutiny Co-ordination Committee", date(2015, 9, 16), date(2015, 9, 2)),
    ("LSCB board", date(2015, 12, 9), date(2015, 11, 25)),
    ("LSCB board", date(2016, 3, 23), date(2016, 3, 9)),
    ("Scrutiny Co-ordination Committee", date(2016, 6, 15), date(2016, 6, 1)),
)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def demo_name_book() -> NameBook:
    names = _read_csv(DEMO_DIR / "names.csv")
    return NameBook(
        post_aliases=aliases_from_pairs({r["As written"]: r["Means"] for r in names if r["Kind"] == "post"}),
        agency_aliases=aliases_from_pairs({r["As written"]: r["Means"] for r in names if r["Kind"] == "agency"}),
        known_posts={name_key(r["Post"]): (r["Post"], r["Agency"]) for r in _read_csv(DEMO_DIR / "posts.csv")},
    )


def load_demo_plan() -> ImportResult:
    rows = read_plan_csv((DEMO_DIR / "plan.csv").read_text(encoding="utf-8"))
    result = import_plan(
        DEMO_PLAN_NAME,
        rows,
        demo_name_book(),
        DEMO_PLAN_DESCRIPTION,
        source="the demo data (the plan as written in spring 2015)",
        loaded_at=DEMO_LOADED_AT,
    )
    for meeting_name, meeting_date, updates_due_date in DEMO_REPORTING_DATES:
        db.session.add(
            ReportingDate(
                plan_id=result.plan.id,
                meeting_name=meeting_name,
                meeting_date=meeting_date,
                updates_due_date=updates_due_date,
            )
        )
    db.session.flush()
    load_demo_measures(result.plan, DEMO_LOADED_AT)
    return result


def create_demo_accounts() -> list[DemoAccount]:
    """Create any demo account that does not exist yet; returns the ones created."""
    created = []
    existing = set(db.session.scalars(select(User.email)))
    posts = {name_key(p.name): p for p in db.session.scalars(select(Post))}
    for account in DEMO_ACCOUNTS:
        if account.email in existing:
            continue
        user = create_user(account.email, account.name, account.role, account.password)
        user.posts = [posts[name_key(name)] for name in account.posts if name_key(name) in posts]
        created.append(account)
    return created


def load_demo() -> ImportResult | None:
    """Load the demo plan and accounts into an empty database; leave a used one alone."""
    if db.session.scalar(select(Plan.id).limit(1)) is not None:
        create_demo_accounts()
        db.session.commit()
        return None
    result = load_demo_plan()
    create_demo_accounts()
    db.session.commit()
    return result
