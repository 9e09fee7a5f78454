"""Administration of people: the list, invitations, role and posts, disabling, handing a post over."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for

from tracker.access import allow
from tracker.extensions import db
from tracker.forms.admin_people import HandOverForm, InviteForm, PersonForm, ReasonForm
from tracker.mail import MailError
from tracker.models import Post, Role, TokenPurpose, User
from tracker.queries.admin_people import people, person, post_choices, successor_choices
from tracker.services import account_emails, account_tokens, invitations
from tracker.services.accounts import AccountError
from tracker.services.people import change_role, hand_over, set_enabled, set_posts
from tracker.views.admin import bp
from tracker.views.admin.common import actor, get_or_404, refuse

MAIL_FAILED = (
    "The email could not be sent, so nothing was changed. Try again later, or ask IT to check the mail settings"
)


def _send(email) -> str | None:
    """Send now; the problem to show if the mail server refused (the caller rolls back)."""
    try:
        account_emails.deliver(email)
    except MailError as error:
        current_app.logger.warning("Account email to %s not sent: %s", email.to, error)
        return MAIL_FAILED
    return None


@bp.get("/people")
@allow(Role.ADMIN)
def people_page():
    return render_template("admin/people.html", people=people())


@bp.route("/people/invite", methods=["GET", "POST"])
@allow(Role.ADMIN)
def invite():
    form = InviteForm()
    form.posts.choices = post_choices()
    if form.validate_on_submit():
        try:
            user, raw = invitations.invite(
                actor(), form.email.data or "", form.name.data or "", Role(form.role.data), form.posts.data or []
            )
        except AccountError as error:
            message = str(error)
            refuse(form, "email" if "email" in message.lower() or "@" in message else "name", message)
        else:
            token = account_tokens.open_token(user, TokenPurpose.INVITATION)
            problem = _send(account_emails.invitation(user, raw, token, actor()))
            if problem:
                refuse(form, "email", problem)
            else:
                flash(f"Invitation sent to {user.email}. The link works for 7 days.", "success")
                return redirect(url_for("admin.person_page", user_id=user.id))
    return render_template(
        "admin/form.html",
        form=form,
        title="Invite someone",
        caption="People",
        intro="They get an email with a link to set their password. The link works once and expires after 7 days.",
        back=url_for("admin.people_page"),
    )


def _person_page(line, form: PersonForm | None = None):
    user = line.user
    form = form or PersonForm(data={"role": user.role.value, "posts": [p.id for p in user.posts]})
    form.posts.choices = post_choices()
    token = account_tokens.open_token(user, TokenPurpose.INVITATION)
    return render_template("admin/person.html", line=line, person=user, form=form, invitation=token)


@bp.get("/people/<int:user_id>")
@allow(Role.ADMIN)
def person_page(user_id: int):
    line = person(user_id) or abort(404)
    return _person_page(line)


@bp.post("/people/<int:user_id>")
@allow(Role.ADMIN)
def save_person(user_id: int):
    line = person(user_id) or abort(404)
    form = PersonForm()
    form.posts.choices = post_choices()
    if form.validate_on_submit():
        try:
            change_role(actor(), line.user, Role(form.role.data))
            set_posts(actor(), line.user, form.posts.data or [])
        except AccountError as error:
            refuse(form, "role", str(error))
        else:
            flash(f"{line.user.name}'s role and posts have been saved.", "success")
            return redirect(url_for("admin.person_page", user_id=user_id))
    return _person_page(line, form)


@bp.route("/people/<int:user_id>/disable", methods=["GET", "POST"])
@allow(Role.ADMIN)
def disable_person(user_id: int):
    user = get_or_404(User, user_id)
    form = ReasonForm()
    form.submit.label.text = "Disable account"
    if form.validate_on_submit():
        try:
            set_enabled(actor(), user, False, form.reason.data or "")
        except AccountError as error:
            refuse(form, "reason", str(error))
        else:
            flash(f"{user.name}'s account has been disabled. They are signed out at their next step.", "success")
            return redirect(url_for("admin.person_page", user_id=user.id))
    return render_template(
        "admin/form.html",
        form=form,
        title=f"Disable {user.name}'s account",
        caption="People",
        intro="They will not be able to sign in, and are signed out at their next step. Their posts and "
        "everything they recorded stay. You can enable the account again.",
        back=url_for("admin.person_page", user_id=user.id),
        destructive=True,
    )


@bp.post("/people/<int:user_id>/enable")
@allow(Role.ADMIN)
def enable_person(user_id: int):
    user = get_or_404(User, user_id)
    set_enabled(actor(), user, True)
    flash(f"{user.name}'s account has been enabled.", "success")
    return redirect(url_for("admin.person_page", user_id=user.id))


@bp.post("/people/<int:user_id>/resend")
@allow(Role.ADMIN)
def resend_invitation(user_id: int):
    user = get_or_404(User, user_id)
    try:
        raw = invitations.resend(actor(), user)
    except AccountError as error:
        flash(str(error), "info")
        return redirect(url_for("admin.person_page", user_id=user.id))
    token = account_tokens.open_token(user, TokenPurpose.INVITATION)
    problem = _send(account_emails.invitation(user, raw, token, actor()))
    if problem:
        db.session.rollback()  # the new link was never sent: the earlier one keeps working
        flash(problem, "info")
        return redirect(url_for("admin.person_page", user_id=user.id))
    flash(f"A new invitation has been sent to {user.email}. The earlier link no longer works.", "success")
    return redirect(url_for("admin.person_page", user_id=user.id))


@bp.route("/people/<int:user_id>/withdraw", methods=["GET", "POST"])
@allow(Role.ADMIN)
def withdraw_invitation(user_id: int):
    user = get_or_404(User, user_id)
    form = ReasonForm()
    form.submit.label.text = "Withdraw invitation"
    if form.validate_on_submit():
        try:
            invitations.withdraw(actor(), user, form.reason.data or "")
        except AccountError as error:
            refuse(form, "reason", str(error))
        else:
            flash(f"The invitation to {user.email} has been withdrawn. Its link no longer works.", "success")
            return redirect(url_for("admin.person_page", user_id=user.id))
    return render_template(
        "admin/form.html",
        form=form,
        title=f"Withdraw the invitation to {user.name}",
        caption="People",
        intro="The link in their email will stop working. You can send a new invitation later.",
        back=url_for("admin.person_page", user_id=user.id),
        destructive=True,
    )


@bp.route("/posts/<int:post_id>/hand-over", methods=["GET", "POST"])
@allow(Role.ADMIN)
def hand_over_post(post_id: int):
    post = get_or_404(Post, post_id)
    holders = sorted(post.holders, key=lambda user: user.name)
    form = HandOverForm(data={"leaver": holders[0].id if len(holders) == 1 else None})
    form.leaver.choices = [("", "Nobody (the post is vacant)")] + [(u.id, f"{u.name} ({u.email})") for u in holders]
    form.successor.choices = [("", "Choose a person"), *successor_choices()]
    if form.validate_on_submit():
        if form.successor.data is None:
            refuse(form, "successor", "Choose the successor from the list")
        else:
            leaver = get_or_404(User, form.leaver.data) if form.leaver.data is not None else None
            successor = get_or_404(User, form.successor.data)
            try:
                hand_over(actor(), post, leaver, successor, form.reason.data or "")
            except AccountError as error:
                refuse(form, "successor", str(error))
            else:
                problem = _send(account_emails.post_handed_over(successor, post, leaver))
                if problem:
                    refuse(form, "successor", problem)
                else:
                    flash(
                        f"{post.name} has been handed over to {successor.name}, who has been told by email.", "success"
                    )
                    return redirect(url_for("admin.post", post_id=post.id))
    return render_template(
        "admin/form.html",
        form=form,
        title=f"Hand over {post.name}",
        caption="Posts",
        intro="In one step the post moves from the person leaving to their successor, with every action it owns. "
        "The successor is told by email.",
        back=url_for("admin.post", post_id=post.id),
    )
