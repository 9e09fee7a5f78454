"""People: their role and posts, enabling and disabling accounts, and handing a post over.

Actions are owned by posts, so moving a post moves every action it owns with it. Each change
is written to the administration log.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Post, Role, User
from tracker.services.accounts import AccountError
from tracker.services.admin_log import log_change


def posts_by_id(post_ids: Sequence[int]) -> list[Post]:
    if not post_ids:
        return []
    return list(db.session.scalars(select(Post).where(Post.id.in_(list(post_ids))).order_by(Post.name)))


def describe_posts(user: User) -> str:
    return ", ".join(sorted(post.name for post in user.posts)) or "no posts"


def change_role(actor: User, user: User, role: Role) -> None:
    if user.role is role:
        return
    if user.id == actor.id and role is not Role.ADMIN:
        raise AccountError("You cannot take away your own administrator role. Ask another administrator to do it")
    log_change(actor, "user", user.id, user.name, "role", user.role.label, role.label)
    user.role = role


def set_posts(actor: User, user: User, post_ids: Sequence[int]) -> None:
    old = describe_posts(user)
    user.posts = posts_by_id(post_ids)
    new = describe_posts(user)
    if new != old:
        log_change(actor, "user", user.id, user.name, "posts", old, new)


def set_enabled(actor: User, user: User, enabled: bool, reason: str = "") -> None:
    """Disable or enable an account; a disabled person is signed out at their next request."""
    if user.is_enabled == enabled:
        return
    if user.id == actor.id and not enabled:
        raise AccountError("You cannot disable your own account. Ask another administrator to do it")
    log_change(actor, "user", user.id, user.name, "enabled", user.is_enabled, enabled, reason=reason)
    user.is_enabled = enabled


def hand_over(actor: User, post: Post, leaver: User | None, successor: User, reason: str = "") -> None:
    """In one step, the post moves from the leaver (if any) to the successor; its actions follow it."""
    if leaver is not None and leaver.id == successor.id:
        raise AccountError("Choose a successor other than the person leaving the post")
    if leaver is not None and post not in leaver.posts:
        raise AccountError(f"{leaver.name} does not hold {post.name}")
    if not successor.is_enabled:
        raise AccountError(f"{successor.name}'s account is disabled. Enable it first, or choose someone else")
    if successor.role not in (Role.OWNER, Role.ADMIN):
        raise AccountError(
            f"{successor.name} is a {successor.role.label.lower()} and cannot update actions. "
            "Make them an action owner first, or choose someone else"
        )
    old = ", ".join(sorted(holder.name for holder in post.holders)) or "nobody"
    if leaver is not None:
        leaver.posts = [held for held in leaver.posts if held.id != post.id]
    if post not in successor.posts:
        successor.posts = [*successor.posts, post]
    db.session.flush()
    db.session.refresh(post)
    new = ", ".join(sorted(holder.name for holder in post.holders))
    log_change(actor, "post", post.id, post.name, "handed over", old, new, reason=reason)
