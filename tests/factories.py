"""Small builders for test data; each returns the saved object (flushed, not committed)."""

from __future__ import annotations

import itertools
from datetime import date

from tracker.extensions import db
from tracker.models import (
    Action,
    ActionOwner,
    Agency,
    Objective,
    OwnerKind,
    Plan,
    Post,
    Rag,
    Role,
    Status,
    Strand,
    User,
)
from tracker.services.accounts import create_user

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def make_user(role: Role = Role.OWNER, posts: list[Post] | None = None, **fields) -> User:
    n = next(_sequence)
    user = create_user(
        fields.pop("email", f"user{n}@example.org"),
        fields.pop("name", f"Test User {n}"),
        role,
        fields.pop("password", PASSWORD),
    )
    for key, value in fields.items():
        setattr(user, key, value)
    user.posts = list(posts or [])
    db.session.flush()
    return user


def make_agency(name: str | None = None) -> Agency:
    agency = Agency(name=name or f"Agency {next(_sequence)}")
    db.session.add(agency)
    db.session.flush()
    return agency


def make_post(name: str | None = None, agency: Agency | None = None) -> Post:
    post = Post(name=name or f"Post {next(_sequence)}", agency=agency)
    db.session.add(post)
    db.session.flush()
    return post


def make_plan(name: str | None = None, strands: tuple[str, ...] = ("Prevent",)) -> Plan:
    plan = Plan(name=name or f"Plan {next(_sequence)}")
    for position, strand_name in enumerate(strands):
        strand = Strand(name=strand_name, position=position)
        strand.objectives.append(Objective(number=position + 1, statement=f"{strand_name} objective"))
        plan.strands.append(strand)
    db.session.add(plan)
    db.session.flush()
    return plan


def make_action(
    plan: Plan | None = None,
    *,
    reference: str | None = None,
    text: str = "Do the thing",
    due_date: date | None = None,
    status: Status = Status.IN_PROGRESS,
    delivery_rag: Rag = Rag.GREEN,
    outcome_rag: Rag = Rag.NOT_RATED,
    responsible: list[Post] | None = None,
    accountable: list[Post] | None = None,
    partners: list[Agency] | None = None,
    strand_index: int = 0,
    **fields,
) -> Action:
    plan = plan or make_plan()
    objective = plan.strands[strand_index].objectives[0]
    action = Action(
        reference=reference if reference is not None else f"{next(_sequence)}.1",
        text=text,
        due_date=due_date,
        baseline_due_date=due_date,
        status=status,
        delivery_rag=delivery_rag,
        outcome_rag=outcome_rag,
        position=len(objective.actions),
        **fields,
    )
    position = 0
    for kind, posts in ((OwnerKind.RESPONSIBLE, responsible or []), (OwnerKind.ACCOUNTABLE, accountable or [])):
        for post in posts:
            action.owners.append(ActionOwner(post=post, kind=kind, position=position))
            position += 1
    action.partners = list(partners or [])
    objective.actions.append(action)
    db.session.flush()
    return action
