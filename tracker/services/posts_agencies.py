"""Agencies and posts: adding and renaming them, their aliases, and merging two posts that are one.

Names are compared the way the importer reads them (importers/names.name_key: case, spacing and
punctuation ignored), so a name or alias can only ever mean one post, or one agency.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.history_values import OWNERS, Owners
from tracker.importers.names import name_key, tidy
from tracker.models import ActionOwner, Agency, AgencyAlias, Post, PostAlias, User
from tracker.services.admin_log import log_change
from tracker.services.history import record_event

MAX_NAME_LENGTH = 200


class NameRejected(ValueError):
    """The name cannot be used; the message says why and what to do."""


def _clean(name: str, what: str) -> str:
    name = tidy(name or "")
    if not name_key(name):
        raise NameRejected(f"Enter the {what}, using letters or numbers")
    if len(name) > MAX_NAME_LENGTH:
        raise NameRejected(f"The {what} must be {MAX_NAME_LENGTH} characters or fewer")
    return name


def post_meaning(key: str) -> Post | None:
    """The post a name (by key) already means: its own name, or one of its aliases."""
    post = db.session.scalar(select(PostAlias.post_id).where(PostAlias.key == key))
    if post is not None:
        return db.session.get(Post, post)
    for candidate in db.session.scalars(select(Post).where(func.length(Post.name) >= len(key))):
        if name_key(candidate.name) == key:
            return candidate
    return None


def agency_meaning(key: str) -> Agency | None:
    agency = db.session.scalar(select(AgencyAlias.agency_id).where(AgencyAlias.key == key))
    if agency is not None:
        return db.session.get(Agency, agency)
    for candidate in db.session.scalars(select(Agency).where(func.length(Agency.name) >= len(key))):
        if name_key(candidate.name) == key:
            return candidate
    return None


def _post_name_free(name: str, post: Post | None) -> None:
    taken = post_meaning(name_key(name))
    if taken is not None and taken is not post:
        raise NameRejected(f"“{name}” already means the post {taken.name}. Choose another name")


def _agency_name_free(name: str, agency: Agency | None) -> None:
    taken = agency_meaning(name_key(name))
    if taken is not None and taken is not agency:
        raise NameRejected(f"“{name}” already means the agency {taken.name}. Choose another name")


# --- agencies ---------------------------------------------------------------------------------


def add_agency(actor: User | None, name: str) -> Agency:
    name = _clean(name, "agency's name")
    _agency_name_free(name, None)
    agency = Agency(name=name)
    db.session.add(agency)
    db.session.flush()
    log_change(actor, "agency", agency.id, agency.name, "created", None, agency.name)
    return agency


def rename_agency(actor: User, agency: Agency, name: str) -> None:
    name = _clean(name, "agency's name")
    if name == agency.name:
        return
    _agency_name_free(name, agency)
    log_change(actor, "agency", agency.id, agency.name, "name", agency.name, name)
    agency.name = name
    db.session.flush()


def add_agency_alias(actor: User, agency: Agency, name: str) -> AgencyAlias:
    name = _clean(name, "alias")
    taken = agency_meaning(name_key(name))
    if taken is agency:
        raise NameRejected(f"“{name}” already means {agency.name}")
    _agency_name_free(name, agency)
    alias = AgencyAlias(agency=agency, name=name, key=name_key(name))
    db.session.add(alias)
    db.session.flush()
    log_change(actor, "agency", agency.id, agency.name, "alias added", None, name)
    return alias


def remove_agency_alias(actor: User, alias: AgencyAlias) -> None:
    log_change(actor, "agency", alias.agency_id, alias.agency.name, "alias removed", alias.name, None)
    db.session.delete(alias)
    db.session.flush()


# --- posts ------------------------------------------------------------------------------------


def add_post(actor: User | None, name: str, agency: Agency | None) -> Post:
    name = _clean(name, "post's name")
    _post_name_free(name, None)
    post = Post(name=name, agency=agency)
    db.session.add(post)
    db.session.flush()
    log_change(
        actor, "post", post.id, post.name, "created", None, f"{post.name} ({agency.name if agency else 'no agency'})"
    )
    return post


def update_post(actor: User, post: Post, name: str, agency: Agency | None) -> None:
    name = _clean(name, "post's name")
    if name != post.name:
        _post_name_free(name, post)
        log_change(actor, "post", post.id, post.name, "name", post.name, name)
        post.name = name
    if agency is not post.agency:
        old = post.agency.name if post.agency else "no agency"
        log_change(actor, "post", post.id, post.name, "agency", old, agency.name if agency else "no agency")
        post.agency = agency
    db.session.flush()


def add_post_alias(actor: User, post: Post, name: str) -> PostAlias:
    name = _clean(name, "alias")
    taken = post_meaning(name_key(name))
    if taken is post:
        raise NameRejected(f"“{name}” already means {post.name}")
    _post_name_free(name, post)
    alias = PostAlias(post=post, name=name, key=name_key(name))
    db.session.add(alias)
    db.session.flush()
    log_change(actor, "post", post.id, post.name, "alias added", None, name)
    return alias


def remove_post_alias(actor: User, alias: PostAlias) -> None:
    log_change(actor, "post", alias.post_id, alias.post.name, "alias removed", alias.name, None)
    db.session.delete(alias)
    db.session.flush()


def merge_posts(actor: User, source: Post, target: Post, reason: str = "") -> None:
    """Merge source into target: its actions, holders and aliases move, and its name becomes an alias.

    Each action whose owners change records it in its history; the merge goes to the log.
    """
    if source.id == target.id:
        raise NameRejected("Choose a different post to merge into: a post cannot be merged into itself")
    owned = list(db.session.scalars(select(ActionOwner).where(ActionOwner.post_id == source.id)))
    actions = {owner.action.id: owner.action for owner in owned}
    before = {action_id: Owners.of(action) for action_id, action in actions.items()}
    for owner in owned:
        action = owner.action
        if not any(o.post_id == target.id and o.kind is owner.kind for o in action.owners):
            action.owners.append(ActionOwner(post=target, kind=owner.kind, position=owner.position))
        action.owners.remove(owner)
    db.session.flush()
    why = reason or f"Post {source.name} merged into {target.name}"
    for action_id, action in actions.items():
        db.session.refresh(action)
        after = Owners.of(action)
        if after != before[action_id]:
            record_event(action, OWNERS, before[action_id], after, actor, why)
            action.updated_at = clock.now()  # the owners live in another table: move the action's version on
    for holder in list(source.holders):
        if target not in holder.posts:
            holder.posts.append(target)
    for alias in list(source.aliases):
        alias.post = target
    db.session.flush()
    source_name, source_id = source.name, source.id
    source.holders = []
    db.session.delete(source)
    db.session.flush()
    if name_key(source_name) != name_key(target.name) and post_meaning(name_key(source_name)) is None:
        db.session.add(PostAlias(post=target, name=source_name, key=name_key(source_name)))
    log_change(
        actor, "post", target.id, target.name, "merged", f"{source_name} (post {source_id})", target.name, reason=reason
    )
    db.session.flush()
