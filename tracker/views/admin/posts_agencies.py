"""Administration of agencies and posts: add, rename, give a post its agency, aliases, merge two posts."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for

from tracker.access import allow
from tracker.forms.admin_people import AliasForm, MergeForm, NameForm, PostForm
from tracker.models import Agency, AgencyAlias, Post, PostAlias, Role
from tracker.queries.admin_people import agencies, agency_choices, post_actions, post_choices, posts
from tracker.services.posts_agencies import (
    NameRejected,
    add_agency,
    add_alias,
    add_post,
    merge_posts,
    remove_alias,
    rename_agency,
    update_post,
)
from tracker.views.admin import bp
from tracker.views.admin.common import actor, get_or_404, refuse

NO_AGENCY = [("", "No agency")]


# --- agencies -----------------------------------------------------------------------------------


@bp.route("/agencies", methods=["GET", "POST"])
@allow(Role.ADMIN)
def agencies_page():
    form = NameForm()
    form.name.label.text = "Name of the agency"
    form.submit.label.text = "Add agency"
    if form.validate_on_submit():
        try:
            agency = add_agency(actor(), form.name.data or "")
        except NameRejected as error:
            refuse(form, "name", str(error))
        else:
            flash(f"Agency “{agency.name}” added.", "success")
            return redirect(url_for("admin.agencies_page"))
    return render_template("admin/agencies.html", form=form, agencies=agencies())


def _agency_page(agency: Agency, form=None, rename=None, alias=None):
    rename = rename or NameForm(data={"name": agency.name}, prefix="rename")
    rename.name.label.text = "Name of the agency"
    alias = alias or AliasForm(prefix="alias")
    return render_template("admin/agency.html", agency=agency, form=form, rename=rename, alias=alias)


@bp.get("/agencies/<int:agency_id>")
@allow(Role.ADMIN)
def agency(agency_id: int):
    return _agency_page(get_or_404(Agency, agency_id))


@bp.post("/agencies/<int:agency_id>/rename")
@allow(Role.ADMIN)
def rename_agency_view(agency_id: int):
    agency = get_or_404(Agency, agency_id)
    form = NameForm(prefix="rename")
    if form.validate_on_submit():
        try:
            rename_agency(actor(), agency, form.name.data or "")
        except NameRejected as error:
            refuse(form, "name", str(error))
        else:
            flash("The agency's name has been saved.", "success")
            return redirect(url_for("admin.agency", agency_id=agency.id))
    return _agency_page(agency, form=form, rename=form)


@bp.post("/agencies/<int:agency_id>/aliases")
@allow(Role.ADMIN)
def add_agency_alias_view(agency_id: int):
    agency = get_or_404(Agency, agency_id)
    return _add_alias(agency, url_for("admin.agency", agency_id=agency.id), _agency_page)


@bp.post("/agency-aliases/<int:alias_id>/remove")
@allow(Role.ADMIN)
def remove_agency_alias_view(alias_id: int):
    alias = get_or_404(AgencyAlias, alias_id)
    return _remove_alias(alias, url_for("admin.agency", agency_id=alias.agency_id))


# --- posts --------------------------------------------------------------------------------------


@bp.route("/posts", methods=["GET", "POST"])
@allow(Role.ADMIN)
def posts_page():
    form = PostForm()
    form.agency.choices = NO_AGENCY + agency_choices()
    form.submit.label.text = "Add post"
    if form.validate_on_submit():
        try:
            post = add_post(actor(), form.name.data or "", _agency(form.agency.data))
        except NameRejected as error:
            refuse(form, "name", str(error))
        else:
            flash(f"Post “{post.name}” added.", "success")
            return redirect(url_for("admin.posts_page"))
    return render_template("admin/posts.html", form=form, posts=posts())


def _agency(agency_id: int | None) -> Agency | None:
    return get_or_404(Agency, agency_id) if agency_id is not None else None


def _post_page(post: Post, form=None, edit=None, alias=None):
    edit = edit or PostForm(data={"name": post.name, "agency": post.agency_id}, prefix="edit")
    edit.agency.choices = NO_AGENCY + agency_choices()
    alias = alias or AliasForm(prefix="alias")
    return render_template(
        "admin/post.html", post=post, form=form, edit=edit, alias=alias, actions=post_actions(post.id)
    )


@bp.get("/posts/<int:post_id>")
@allow(Role.ADMIN)
def post(post_id: int):
    return _post_page(get_or_404(Post, post_id))


@bp.post("/posts/<int:post_id>/edit")
@allow(Role.ADMIN)
def edit_post(post_id: int):
    post = get_or_404(Post, post_id)
    form = PostForm(prefix="edit")
    form.agency.choices = NO_AGENCY + agency_choices()
    if form.validate_on_submit():
        try:
            update_post(actor(), post, form.name.data or "", _agency(form.agency.data))
        except NameRejected as error:
            refuse(form, "name", str(error))
        else:
            flash("The post has been saved.", "success")
            return redirect(url_for("admin.post", post_id=post.id))
    return _post_page(post, form=form, edit=form)


@bp.post("/posts/<int:post_id>/aliases")
@allow(Role.ADMIN)
def add_post_alias_view(post_id: int):
    post = get_or_404(Post, post_id)
    return _add_alias(post, url_for("admin.post", post_id=post.id), _post_page)


@bp.post("/post-aliases/<int:alias_id>/remove")
@allow(Role.ADMIN)
def remove_post_alias_view(alias_id: int):
    alias = get_or_404(PostAlias, alias_id)
    return _remove_alias(alias, url_for("admin.post", post_id=alias.post_id))


@bp.route("/posts/<int:post_id>/merge", methods=["GET", "POST"])
@allow(Role.ADMIN)
def merge_post(post_id: int):
    """Two steps: choose the post to merge into, then confirm on a page saying what will move."""
    post = get_or_404(Post, post_id)
    form = MergeForm()
    form.into.choices = [("", "Choose a post")] + [(pid, name) for pid, name in post_choices() if pid != post.id]
    if form.validate_on_submit():
        if form.into.data is None:
            refuse(form, "into", "Choose the post to merge into from the list")
        else:
            target = get_or_404(Post, form.into.data)
            if request.form.get("confirmed") == "yes":
                try:
                    merge_posts(actor(), post, target, form.reason.data or "")
                except NameRejected as error:
                    refuse(form, "into", str(error))
                else:
                    flash(f"{post.name} has been merged into {target.name}.", "success")
                    return redirect(url_for("admin.post", post_id=target.id))
            else:
                return render_template(
                    "admin/merge_confirm.html", post=post, target=target, form=form, actions=post_actions(post.id)
                )
    return render_template(
        "admin/form.html",
        form=form,
        title=f"Merge {post.name} into another post",
        caption="Posts",
        intro="Use this when two posts turn out to be one. Every action, holder and alias of this post moves "
        "to the post you choose, and this post's name becomes one of its aliases.",
        back=url_for("admin.post", post_id=post.id),
    )


# --- aliases, the same for agencies and posts -----------------------------------------------------


def _add_alias(named: Agency | Post, back: str, page: Callable[..., str]):
    form = AliasForm(prefix="alias")
    if form.validate_on_submit():
        try:
            alias = add_alias(actor(), named, form.name.data or "")
        except NameRejected as error:
            refuse(form, "name", str(error))
        else:
            flash(f"“{alias.name}” now means {named.name}.", "success")
            return redirect(back)
    return page(named, form=form, alias=form)


def _remove_alias(alias: AgencyAlias | PostAlias, back: str):
    name = alias.name
    remove_alias(actor(), alias)
    flash(f"Alias “{name}” removed.", "success")
    return redirect(back)
