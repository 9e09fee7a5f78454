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


def _meaning(model: type[Agency] | type[Post], key: str) -> Agency | Post | None:
    """The agency or post a name (by key) already means: its own name, or one of its aliases."""
    if model is Agency:
        owner_id = db.session.scalar(select(AgencyAlias.agency_id).where(AgencyAlias.key == key))
    else:
        owner_id = db.session.scalar(select(PostAlias.post_id).where(PostAlias.key == key))
    if owner_id is not None:
        return db.session.get(model, owner_id)
    for candidate in db.session.scalars(select(model).where(func.length(model.name) >= len(key))):
        if name_key(candidate.name) == key:
            return candidate
    return None


def post_meaning(key: str) -> Post | None:
    return _meaning(Post, key)  # type: ignore[return-value]


def agency_meaning(key: str) -> Agency | None:
    return _meaning(Agency, key)  # type: ignore[return-value]


def _name_free(name: str, named: Agency | Post | None, model: type[Agency] | type[Post]) -> None:
    taken = _meaning(model, name_key(name))
    if taken is not None and taken is not named:
        noun = "agency" if model is Agency else "post"
        raise NameRejected(f"“{name}” already means the {noun} {taken.name}. Choose another name")


def add_alias(actor: User, named: Agency | Post, name: str) -> AgencyAlias | PostAlias:
    """Another name that will mean this agency or post, in imports and wherever names are matched."""
    model = type(named)
    name = _clean(name, "alias")
    if _meaning(model, name_key(name)) is named:
        raise NameRejected(f"“{name}” already means {named.name}")
    _name_free(name, named, model)
    alias: AgencyAlias | PostAlias
    if isinstance(named, Agency):
        alias = AgencyAlias(agency=named, name=name, key=name_key(name))
    else:
        alias = PostAlias(post=named, name=name, key=name_key(name))
    db.session.add(alias)
    db.session.flush()
    log_change(actor, _LOG_KIND[model], named.id, named.name, "alias added", None, name)
    return alias


def remove_alias(actor: User, alias: AgencyAlias | PostAlias) -> None:
    named = alias.agency if isinstance(alias, AgencyAlias) else alias.post
    log_change(actor, _LOG_KIND[type(named)], named.id, named.name, "alias removed", alias.name, None)
    db.session.delete(alias)
    db.session.flush()


_LOG_KIND: dict[type, str] = {Agency: "agency", Post: "post"}


# --- agencies ---------------------------------------------------------------------------------


def add_agency(actor: User | None, name: str) -> Agency:
    name = _clean(name, "agency's name")
    _name_free(name, None, Agency)
    agency = Agency(name=name)
    db.session.add(agency)
    db.session.flush()
    log_change(actor, "agency", agency.id, agency.name, "created", None, agency.name)
    return agency


def rename_agency(actor: User, agency: Agency, name: str) -> None:
    name = _clean(name, "agency's name")
    if name == agency.name:
        return
    _name_free(name, agency, Agency)
    log_change(actor, "agency", agency.id, agency.name, "name", agency.name, name)
    agency.name = name
    db.session.flush()


# --- posts ------------------------------------------------------------------------------------


def add_post(actor: User | None, name: str, agency: Agency | None) -> Post:
    name = _clean(name, "post's name")
    _name_free(name, None, Post)
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
        _name_free(name, post, Post)
        log_change(actor, "post", post.id, post.name, "name", post.name, name)
        post.name = name
    if agency is not post.agency:
        old = post.agency.name if post.agency else "no agency"
        log_change(actor, "post", post.id, post.name, "agency", old, agency.name if agency else "no agency")
        post.agency = agency
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
