"""Administration: running the partnership from the browser (administrators only).

One module per area: plans (a plan and its settings), structure (strands, sub-objectives and
actions), posts_agencies, people (accounts, invitations, hand-overs) and log.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from tracker.access import allow
from tracker.models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@allow(Role.ADMIN)
def index():
    return render_template("admin/index.html")


from tracker.views.admin import log, people, plans, posts_agencies, structure  # noqa: E402  (routes on bp)

__all__ = ["bp", "log", "people", "plans", "posts_agencies", "structure"]
