"""A large, plausible partnership for benchmarks: many plans run for years, with their full history.

At scale 1: 20 plans, 10,000 actions, about 200,000 history rows, 500 users and 50 agencies.
Each action's history is a consistent chain (every entry's old value is the previous new value)
ending in the action's current values, as the tracker's own services write it, so past views
rebuilt from it are meaningful. Rows go in with bulk inserts: minutes of the app's own
services would otherwise be spent on data nobody reads.

    .venv/bin/python -m bench.generate --scale 0.1   (into the app's configured database)
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert

from tracker.extensions import db
from tracker.history_values import Named, Owners, serialise
from tracker.models import (
    Action,
    ActionOwner,
    Agency,
    DeadlineChange,
    HistoryEntry,
    Objective,
    OwnerKind,
    Plan,
    Post,
    ProgressUpdate,
    Rag,
    ReportingDate,
    RequestState,
    Role,
    Status,
    Strand,
    User,
    action_partners,
    post_holders,
)
from tracker.services.accounts import _hasher

BENCH_TODAY = date(2017, 3, 15)
BENCH_PASSWORD = "benchmark-password"  # noqa: S105 - every generated account shares it (one hash, computed once)
STRANDS = ("Prevent", "Protect", "Pursue", "Public and Professional Confidence")
OBJECTIVES_PER_STRAND = 6
# Progress updates per action, on average; with the RAG and status changes they carry and the
# occasional deadline or owner change this gives about 20 history rows per action.
UPDATES_PER_ACTION = 19
CHUNK = 5000
WORDS = tuple(
    " ".join(
        (
            "training awareness schools police health referral screening return interviews missing children",
            "partners data profile disruption licensing taxi hotels parents carers victims support evidence",
            "audit review strategy communication campaign practitioners pathway meeting",
        )
    ).split()
)


@dataclass(frozen=True)
class Sizes:
    plans: int
    actions: int
    users: int
    agencies: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(
            plans=max(1, round(20 * scale)),
            actions=max(4, round(10_000 * scale)),
            users=max(4, round(500 * scale)),
            agencies=max(2, round(50 * scale)),
        )


@dataclass
class Counts:
    plans: int = 0
    actions: int = 0
    history: int = 0
    progress_updates: int = 0
    users: int = 0
    agencies: int = 0
    posts: int = 0


class _Rows:
    """Collects rows per table and writes them in chunks (executemany), in foreign-key order."""

    ORDER = (
        Agency, Post, User, post_holders, Plan, ReportingDate, Strand, Objective, Action,
        ActionOwner, action_partners, ProgressUpdate, HistoryEntry, DeadlineChange,
    )  # fmt: skip

    def __init__(self) -> None:
        self.pending: dict[object, list[dict]] = {table: [] for table in self.ORDER}

    def add(self, table, row: dict) -> None:
        self.pending[table].append(row)

    def flush(self) -> None:
        for table in self.ORDER:
            rows = self.pending[table]
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(table), rows[start : start + CHUNK])
            rows.clear()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _moments(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    span = max(1, int((end - start).total_seconds()))
    return sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(count))


def _next_rag(rng: random.Random, current: Rag) -> Rag:
    if current is Rag.NOT_RATED:
        return rng.choice((Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.RED))
    # Owners re-rate when something has moved: most updates change the rating.
    others = [rag for rag in (Rag.GREEN, Rag.AMBER, Rag.RED) if rag is not current]
    return rng.choices(others, weights=[{Rag.GREEN: 5, Rag.AMBER: 3, Rag.RED: 1}[rag] for rag in others])[0]


def generate(scale: float = 1.0, today: date = BENCH_TODAY, seed: int = 2015) -> Counts:
    """Insert a partnership of the given scale into an empty database (the caller commits)."""
    rng = random.Random(seed)
    sizes = Sizes.at(scale)
    counts = Counts()
    rows = _Rows()
    end_of_history = datetime.combine(today, time(9, 0))

    agencies = [f"Agency {n:03d}" for n in range(1, sizes.agencies + 1)]
    for agency_id, name in enumerate(agencies, start=1):
        rows.add(Agency, {"id": agency_id, "name": name})
    posts: list[tuple[int, str, int]] = []
    for post_id in range(1, sizes.users * 3 // 5 + 1):
        agency_id = rng.randrange(1, sizes.agencies + 1)
        posts.append((post_id, f"Post {post_id:04d} ({agencies[agency_id - 1]})", agency_id))
        rows.add(Post, {"id": post_id, "name": posts[-1][1], "agency_id": agency_id})
    password_hash = _hasher.hash(BENCH_PASSWORD)
    for user_id in range(1, sizes.users + 1):
        role = Role.OWNER
        if user_id == 1:
            role = Role.BOARD
        elif user_id == 2:
            role = Role.ADMIN
        elif user_id == 3:
            role = Role.SCRUTINY
        elif user_id % 25 == 0:
            role = rng.choice((Role.ADMIN, Role.BOARD, Role.SCRUTINY))
        rows.add(User, {
            "id": user_id,
            "email": f"user{user_id}@bench.example.org",
            "name": f"Bench User {user_id}",
            "password_hash": password_hash,
            "role": role,
            "is_enabled": True,
        })  # fmt: skip
        if role is Role.OWNER or user_id == 2:
            rows.add(post_holders, {"post_id": posts[(user_id - 1) % len(posts)][0], "user_id": user_id})
    counts.agencies, counts.posts, counts.users = sizes.agencies, len(posts), sizes.users

    objective_id = action_id = history_id = update_id = change_id = 0
    per_plan = [
        sizes.actions // sizes.plans + (1 if n < sizes.actions % sizes.plans else 0) for n in range(sizes.plans)
    ]
    for plan_number, plan_actions in enumerate(per_plan, start=1):
        plan_id = plan_number
        plan_start = datetime(2015, 1, 5, 9, 0) + timedelta(days=rng.randrange(0, 240))
        rows.add(Plan, {
            "id": plan_id,
            "name": f"Plan {plan_number:02d}: {_sentence(rng, 3)}",
            "description": _sentence(rng, 12),
            "created_at": plan_start,
            "remind_due_within_days": 14,
            "remind_update_within_days": 7,
        })  # fmt: skip
        counts.plans += 1
        _reporting_dates(rows, rng, plan_id, plan_start.date(), today)
        objective_ids = []
        for position, strand_name in enumerate(STRANDS):
            strand_id = (plan_id - 1) * len(STRANDS) + position + 1
            rows.add(Strand, {"id": strand_id, "plan_id": plan_id, "name": strand_name, "position": position})
            for number in range(OBJECTIVES_PER_STRAND):
                objective_id += 1
                objective_ids.append(objective_id)
                rows.add(Objective, {
                    "id": objective_id,
                    "strand_id": strand_id,
                    "number": position * OBJECTIVES_PER_STRAND + number + 1,
                    "statement": _sentence(rng, 10),
                    "position": number,
                })  # fmt: skip
        for index in range(plan_actions):
            action_id += 1
            objective = objective_ids[index * len(objective_ids) // plan_actions]
            created = plan_start if rng.random() < 0.85 else _moments(rng, plan_start, end_of_history, 1)[0]
            history_id, update_id, change_id = _action(
                rows, rng, action_id, objective, index, created, end_of_history, posts, sizes,
                history_id, update_id, change_id,
            )  # fmt: skip
            counts.actions += 1
        rows.flush()
    counts.history, counts.progress_updates = history_id, update_id
    _reset_sequences()
    return counts


def _reporting_dates(rows: _Rows, rng: random.Random, plan_id: int, start: date, today: date) -> None:
    """A board meeting every quarter, with owners' updates due ten days before."""
    meeting = date(start.year, ((start.month - 1) // 3 + 1) * 3, 20) if start.month < 10 else date(start.year, 12, 20)
    while meeting <= today + timedelta(days=200):
        rows.add(ReportingDate, {
            "plan_id": plan_id,
            "meeting_name": "LSCB board",
            "meeting_date": meeting,
            "updates_due_date": meeting - timedelta(days=10),
        })  # fmt: skip
        month = meeting.month + 3
        meeting = date(meeting.year + (month - 1) // 12, (month - 1) % 12 + 1, 20)


def _action(rows, rng, action_id, objective_id, position, created, end, posts, sizes, history_id, update_id, change_id):
    due: date | None = None
    if rng.random() > 0.05:
        due = (created + timedelta(days=rng.randrange(60, 720))).date()
    state = {"delivery_rag": Rag.NOT_RATED, "outcome_rag": Rag.NOT_RATED, "status": Status.NOT_STARTED, "due_date": due}
    owners = _owners(rng, posts)
    action_row = {
        "id": action_id,
        "objective_id": objective_id,
        "reference": f"{position // 5 + 1}.{position % 5 + 1}",
        "text": _sentence(rng, 14),
        "expected_evidence": _sentence(rng, 8),
        "expected_outcomes": _sentence(rng, 8),
        "timescale_text": due.strftime("%B %Y") if due else "",
        "timescale_needs_review": False,
        "baseline_due_date": due,
        "is_restricted": rng.random() < 0.05,
        "position": position,
        "created_at": created,
        "updated_at": created,
        "version": 1,
    }

    def history(at: datetime, field: str, old, new, update: int | None = None) -> None:
        nonlocal history_id
        history_id += 1
        rows.add(HistoryEntry, {
            "id": history_id,
            "action_id": action_id,
            "field": field,
            "old_value": serialise(field, old),
            "new_value": serialise(field, new),
            "actor_id": None,
            "actor_name": "Bench User",
            "created_at": at,
            "reason": "",
            "progress_update_id": update,
        })  # fmt: skip

    history(created, "created", None, None)
    last_progress = None
    first_update = created + timedelta(days=7)
    updates = rng.randrange(UPDATES_PER_ACTION // 2, UPDATES_PER_ACTION * 3 // 2 + 1) if first_update < end else 0
    moments = _moments(rng, first_update, end, updates)
    for at in moments:
        if state["status"] in (Status.COMPLETE, Status.CANCELLED):
            break
        update_id += 1
        new = dict(state)
        if rng.random() < 0.7:
            new["delivery_rag"] = _next_rag(rng, state["delivery_rag"])
        if rng.random() < 0.45:
            new["outcome_rag"] = _next_rag(rng, state["outcome_rag"])
        if state["status"] is Status.NOT_STARTED:
            new["status"] = Status.IN_PROGRESS
        elif rng.random() < 0.025:
            new["status"] = Status.COMPLETE
            new["delivery_rag"] = Rag.BLUE
        elif rng.random() < 0.005:
            new["status"] = Status.CANCELLED
        rows.add(ProgressUpdate, {
            "id": update_id,
            "action_id": action_id,
            "author_id": None,
            "author_name": "Bench User",
            "created_at": at,
            "commentary": _sentence(rng, 20),
            "delivery_rag": new["delivery_rag"],
            "outcome_rag": new["outcome_rag"],
            "status": new["status"],
            "no_evidence_reason": "",
        })  # fmt: skip
        for field in ("delivery_rag", "outcome_rag", "status"):
            if new[field] is not state[field]:
                history(at, field, state[field], new[field], update_id)
        state = new
        last_progress = at
        if state["due_date"] and rng.random() < 0.06 and at.date() > state["due_date"] - timedelta(days=60):
            # The co-ordinator agrees a later date: recorded as a deadline change and in history.
            moved = state["due_date"] + timedelta(days=rng.randrange(30, 180))
            change_id += 1
            rows.add(DeadlineChange, {
                "id": change_id,
                "action_id": action_id,
                "requested_at": at,
                "old_due_date": state["due_date"],
                "new_due_date": moved,
                "reason": "More time needed",
                "state": RequestState.APPROVED,
                "decided_at": at + timedelta(hours=2),
                "decision_comment": "",
            })  # fmt: skip
            history(at + timedelta(hours=2), "due_date", state["due_date"], moved)
            state["due_date"] = moved
        if rng.random() < 0.01:
            before = _as_recorded(owners)
            owners = _owners(rng, posts)
            history(at + timedelta(hours=3), "owners", before, _as_recorded(owners))
    for position, (post_id, _name, kind) in enumerate(owners):
        rows.add(ActionOwner, {"action_id": action_id, "post_id": post_id, "kind": kind, "position": position})
    for agency_id in rng.sample(range(1, sizes.agencies + 1), k=min(sizes.agencies, rng.randrange(0, 4))):
        rows.add(action_partners, {"action_id": action_id, "agency_id": agency_id})
    action_row.update(
        status=state["status"],
        delivery_rag=state["delivery_rag"],
        outcome_rag=state["outcome_rag"],
        due_date=state["due_date"],
        last_progress_at=last_progress,
        updated_at=last_progress or created,
    )
    rows.add(Action, action_row)
    return history_id, update_id, change_id


def _owners(rng: random.Random, posts) -> list[tuple[int, str, OwnerKind]]:
    if rng.random() < 0.02:
        return []
    chosen = rng.sample(posts, k=rng.randrange(2, 4))
    return [(chosen[0][0], chosen[0][1], OwnerKind.ACCOUNTABLE)] + [
        (post_id, name, OwnerKind.RESPONSIBLE) for post_id, name, _agency in chosen[1:]
    ]


def _as_recorded(owners: list[tuple[int, str, OwnerKind]]) -> Owners:
    return Owners(
        **{kind.value: tuple(Named(post_id, name) for post_id, name, k in owners if k is kind) for kind in OwnerKind}
    )


def _reset_sequences() -> None:
    """Explicit ids bypass PostgreSQL's sequences: move them past the rows just written."""
    if db.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for table in ("agency", "post", "user_account", "plan", "strand", "objective", "action", "history_entry",
                  "progress_update", "deadline_change", "reporting_date"):  # fmt: skip
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))")
        )


def iter_sizes(scale: float) -> Iterator[str]:
    sizes = Sizes.at(scale)
    yield f"{sizes.plans} plans, {sizes.actions} actions, {sizes.users} users, {sizes.agencies} agencies"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 20 plans and 10,000 actions (default)")
    args = parser.parse_args()
    from tracker import create_app

    app = create_app()
    with app.app_context():
        counts = generate(args.scale)
        db.session.commit()
    print(f"Generated {counts}")


if __name__ == "__main__":
    main()
