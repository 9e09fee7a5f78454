"""The board dashboard, the lists of actions behind its figures, and the plotly.js it draws with.

Every filter lives in the query string, so any view of the dashboard, past or present, is a link
that can be shared. Reading and rules live in tracker/queries; this module reads the request,
builds the links and renders.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, Response, abort, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from tracker import charts, clock
from tracker.access import allow_signed_in
from tracker.formatting import format_date
from tracker.forms.dashboard import DashboardFiltersForm, read_day
from tracker.models import RAG_ORDER, Rag
from tracker.plotly_assets import STYLE_ELEMENT_ID, plotly_bundle
from tracker.queries.actions import MOVES_CAP, ActionFilters, count_actions, list_actions
from tracker.queries.changes import Change
from tracker.queries.dashboard import Bar, Choices, OwnerLine, build_dashboard, filter_choices
from tracker.queries.measures import dashboard_measures
from tracker.queries.states import DUE_SOON_WORDS
from tracker.views.query_args import read_int, read_member

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

PAGE_SIZE = 100
# Under each agency, its accountable posts with most red or overdue actions; a link lists the rest.
POSTS_SHOWN = 5
# The agencies with most red or overdue actions; "?agencies=all" shows every one. Rendering only
# what is shown keeps the page small: every agency and post row carries three links.
AGENCIES_SHOWN = 10
# Query-string names of the scope filters, which every link from the dashboard carries on.
SCOPE = {"plan": "plan_id", "strand": "strand_id", "agency": "agency_id", "post": "post_id", "as_at": "as_at"}
# And of the filters a figure adds (flags take "1").
ID_ARGS = {"accountable_agency": "accountable_agency_id", "accountable_post": "accountable_post_id"}
FLAG_ARGS = (
    "overdue",
    "red_or_overdue",
    "due_soon",
    "not_updated",
    "no_owner",
    "no_accountable",
    "no_due_date",
    "exception",
    "moved",
)


@bp.get("")
@allow_signed_in
def show():
    choices = filter_choices()
    form, filters = read_filters(request.args, choices)
    today = clock.today()
    by_meeting = request.args.get("trend") == "meetings"
    dashboard = build_dashboard(filters, current_user, today, choices, trend_by_meeting=by_meeting)
    links = Links(filters)
    # Strands are drawn for one plan; across plans, the plans' bars (each links to its own strands).
    strands = dashboard.strands if len(dashboard.plans) <= 1 else []
    all_agencies = request.args.get("agencies") == "all"
    agencies = dashboard.agencies if all_agencies else dashboard.agencies[:AGENCIES_SHOWN]
    figures = {
        "strands": charts.rag_bars(strands, links.actions, "strand"),
        "plans": charts.rag_bars(dashboard.plans, links.actions, "plan"),
        "outcomes": charts.delivery_outcome(dashboard.grid, links.actions),
        "agencies": charts.agencies(agencies, links.actions),
        "trend": charts.trend(
            dashboard.trend, links.actions, last_is_today=not dashboard.is_past, by_meeting=dashboard.trend_by_meeting
        ),
        "slippage": charts.slippage(dashboard.slippage.by_moves, links.actions, MOVES_CAP),
    }
    bundle = plotly_bundle()
    return render_template(
        "dashboard/show.html",
        measures=dashboard_measures(
            current_user,
            dashboard.day,
            plan_id=filters.plan_id,
            strand_id=filters.strand_id,
            agency_id=filters.agency_id,
            post_id=filters.post_id,
            moment=clock.end_of_day(dashboard.day) if dashboard.is_past else None,
        ),
        form=form,
        dashboard=dashboard,
        strands=strands,
        agencies=agencies,
        agencies_hidden=len(dashboard.agencies) - len(agencies),
        figures=figures,
        link=links.actions,
        links=links,
        dashboard_link=links.dashboard,
        scope=describe_scope(filters, choices),
        rags=RAG_ORDER,
        changes=Change,
        moves_cap=MOVES_CAP,
        moves_label=charts.moves_label,
        point_label=charts.point_label,
        plotly_digest=bundle.digest,
        plotly_style_id=STYLE_ELEMENT_ID,
        plotly_map_style_id=bundle.map_style_id,
        today=today,
        posts_shown=POSTS_SHOWN,
        due_soon_words=DUE_SOON_WORDS,
    )


@bp.get("/actions")
@allow_signed_in
def actions():
    choices = filter_choices()
    form, filters = read_filters(request.args, choices)
    today = clock.today()
    page = max(1, read_int(request.args.get("page")) or 1)
    rows = list_actions(filters, current_user, today, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    # A first page that is not full is the whole list: no need to count it again.
    total = len(rows) if page == 1 and len(rows) < PAGE_SIZE else count_actions(filters, current_user, today)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # past the end (an old link to a list that has shrunk): the last page
        page = pages
        rows = list_actions(filters, current_user, today, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    links = Links(filters)
    is_past = filters.as_at is not None and filters.as_at < today
    return render_template(
        "dashboard/actions.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        page_link=lambda n: links.actions(**_figure_args(filters), page=n),
        first_row=(page - 1) * PAGE_SIZE + 1,
        described=describe_filters(filters, choices),
        scope=describe_scope(filters, choices),
        dashboard_link=links.dashboard(),
        day=filters.as_at if filters.as_at and filters.as_at < today else today,
        is_past=is_past,
        # Each row links to its action (as at the past day in a past view): the path looked up once.
        action_path=url_for("actions.show", action_id=0).removesuffix("0"),
        action_query=f"?as_at={filters.as_at.isoformat()}" if is_past else "",
    )


@bp.get("/assets/plotly-<digest>.min.js")
@allow_signed_in
def plotly_js(digest: str):
    bundle = plotly_bundle()
    if digest != bundle.digest:
        abort(404)
    # The content's hash is in the address, so browsers may keep the file for a year.
    return send_file(bundle.path, mimetype="text/javascript", max_age=31536000, conditional=True)


@bp.get("/assets/plotly-<digest>.css")
@allow_signed_in
def plotly_css(digest: str):
    bundle = plotly_bundle()
    if digest != bundle.digest:
        abort(404)
    response = Response(bundle.css, mimetype="text/css")
    response.cache_control.max_age = 31536000
    response.cache_control.private = True
    return response


# --- reading filters from the query string ---------------------------------------------------


def read_filters(args: MultiDict, choices: Choices) -> tuple[DashboardFiltersForm, ActionFilters]:
    """The scope from the form (validated: an unreadable as-at date is an error), the rest as given.

    Ids that do not exist, flags that are not "1" and ratings that are not ratings are ignored,
    so an old or hand-edited link still opens.
    """
    form = DashboardFiltersForm(args)
    _offer_choices(form, choices)
    if any(args.get(name) for name in SCOPE):
        form.validate()
    plan = choices.plan(read_int(form.plan.data))
    strand = choices.strand(read_int(form.strand.data))
    if plan is not None and strand is not None and strand.plan_id != plan.id:
        strand = None  # a strand of another plan: the plan chosen wins
    agency_ids = {agency_id for agency_id, _name in choices.agencies}
    post_ids = {post.id for post in choices.posts}
    values: dict[str, Any] = {
        "plan_id": plan.id if plan else None,
        "strand_id": strand.id if strand else None,
        "agency_id": _known(form.agency.data, agency_ids),
        "post_id": _known(form.post.data, post_ids),
        "as_at": form.as_at_day,
        "accountable_agency_id": _known(args.get("accountable_agency"), agency_ids),
        "accountable_post_id": _known(args.get("accountable_post"), post_ids),
        "rag": read_member(Rag, args.get("rag")),
        "outcome_rag": read_member(Rag, args.get("outcome")),
        "moves": _moves(args.get("moves")),
        "change": read_member(Change, args.get("change")),
        "since": read_day(args.get("since")),
        "live": True,  # a cancelled action leaves the dashboard's counts and lists
    }
    values.update({flag: args.get(flag) == "1" for flag in FLAG_ARGS})
    return form, ActionFilters(**values)


def _offer_choices(form: DashboardFiltersForm, choices: Choices) -> None:
    several = len(choices.plans) > 1
    form.plan.choices = [("", "All current plans")] + [
        (str(plan.id), f"{plan.name} (archived)" if plan.archived else plan.name) for plan in choices.plans
    ]
    form.strand.choices = [("", "All strands")] + [
        (str(strand.id), f"{plan.name}: {strand.name}" if several else strand.name)
        for plan in choices.plans
        for strand in plan.strands
    ]
    form.agency.choices = [("", "All agencies")] + [(str(a), name) for a, name in choices.agencies]
    form.post.choices = [("", "All posts")] + [(str(post.id), post.name) for post in choices.posts]


def _known(value: str | None, known: set[int]) -> int | None:
    number = read_int(value)
    return number if number in known else None


def _moves(value: str | None) -> int | None:
    number = read_int(value)
    return min(number, MOVES_CAP) if number else None


# --- links --------------------------------------------------------------------------------------


def _scope_args(filters: ActionFilters) -> dict[str, Any]:
    args = {name: getattr(filters, attribute) for name, attribute in SCOPE.items()}
    if args["as_at"] is not None:
        args["as_at"] = args["as_at"].isoformat()
    return {name: value for name, value in args.items() if value is not None}


def _figure_args(filters: ActionFilters) -> dict[str, Any]:
    """The filters beyond the scope, as query-string values (to page through a list)."""
    args: dict[str, Any] = {name: getattr(filters, attribute) for name, attribute in ID_ARGS.items()}
    args["rag"] = filters.rag.value if filters.rag else None
    args["outcome"] = filters.outcome_rag.value if filters.outcome_rag else None
    args["moves"] = filters.moves
    args["change"] = filters.change.value if filters.change else None
    args["since"] = filters.since.isoformat() if filters.since else None
    args.update({flag: 1 for flag in FLAG_ARGS if getattr(filters, flag)})
    return {name: value for name, value in args.items() if value is not None}


class Links:
    """Addresses that keep the dashboard's scope (plan, strand, agency, post, as-at date).

    A dashboard has a thousand or more of them (every figure, segment and table cell), so the
    two paths are looked up once and only the query strings built for each.
    """

    def __init__(self, filters: ActionFilters) -> None:
        self.scope = _scope_args(filters)
        self._scope_names = frozenset(self.scope)
        self._scope_query = urlencode(self.scope)
        self._actions = url_for("dashboard.actions")
        self._dashboard = url_for("dashboard.show")

    def actions(self, **extra: Any) -> str:
        """The list of actions behind a figure: the scope plus the figure's own filters."""
        return self._address(self._actions, extra)

    def dashboard(self, **extra: Any) -> str:
        return self._address(self._dashboard, extra)

    def rag_cells(self, bar: Bar, key: str) -> Markup:
        """A bar's table cells: its count for each rating, then in all, each linked to its actions."""
        cells = [(bar.counts[rag], {"rag": rag.value, key: bar.id}, f"{rag.label}, {bar.label}") for rag in RAG_ORDER]
        cells.append((bar.total, {key: bar.id}, f"in all, {bar.label}"))
        return self._cells(cells)

    def owner_cells(self, line: OwnerLine) -> Markup:
        """An accountable agency's or post's cells: red or overdue, overdue, red, each linked to its actions."""
        if line.post_id is not None:
            by, name = {"accountable_post": line.post_id}, line.post_name
        else:
            by, name = {"accountable_agency": line.agency_id}, line.agency_name
        return self._cells([
            (line.red_or_overdue, {"red_or_overdue": 1, **by}, f"red or overdue, {name}"),
            (line.overdue, {"overdue": 1, **by}, f"overdue, {name}"),
            (line.red, {"rag": "red", **by}, f"red, {name}"),
        ])  # fmt: skip

    def _cells(self, cells: list[tuple[int, dict[str, Any], str]]) -> Markup:
        # In Python rather than the template: the agency and strand tables have a thousand of these.
        html = "".join(
            f'<td class="govuk-table__cell govuk-table__cell--numeric">'
            f"{_count_link_html(number, self._address(self._actions, extra), label)}</td>"
            for number, extra, label in cells
        )
        # Safe: built by _count_link_html, which escapes everything it puts in.
        return Markup(html)  # nosec B704  # noqa: S704

    def _address(self, path: str, extra: dict[str, Any]) -> str:
        if not self._scope_names.isdisjoint(extra):  # the figure changes the scope (a trend point's date)
            merged = {**self.scope, **extra}
            query = urlencode([(name, value) for name, value in merged.items() if value is not None])
        else:
            own = "&".join([f"{name}={_query_value(value)}" for name, value in extra.items() if value is not None])
            query = f"{self._scope_query}&{own}" if self._scope_query and own else self._scope_query or own
        return f"{path}?{query}" if query else path


def _query_value(value: Any) -> str:
    """Figures add ids, ratings and ISO dates, which need no escaping; anything else is quoted."""
    if type(value) is int:
        return str(value)
    text = str(value)
    return text if text.replace("_", "").replace("-", "").isalnum() else quote_plus(text)


# --- words for what a list shows ------------------------------------------------------------------


def describe_scope(filters: ActionFilters, choices: Choices) -> list[str]:
    """The plan, strand, agency and post chosen, in words."""
    words = []
    plan = choices.plan(filters.plan_id)
    words.append(f"Plan: {plan.name}" if plan else "All plans")
    strand = choices.strand(filters.strand_id)
    if strand:
        words.append(f"Strand: {strand.name}")
    agencies = dict(choices.agencies)
    posts = {post.id: post.name for post in choices.posts}
    if filters.agency_id is not None:
        words.append(f"Agency involved: {agencies[filters.agency_id]}")
    if filters.post_id is not None:
        words.append(f"Owned by: {posts[filters.post_id]}")
    return words


def describe_filters(filters: ActionFilters, choices: Choices) -> list[str]:
    """What a figure's list adds to the scope, in words."""
    agencies = dict(choices.agencies)
    posts = {post.id: post.name for post in choices.posts}
    words = []
    if filters.rag is not None:
        words.append(f"Delivery RAG: {filters.rag.label}")
    if filters.outcome_rag is not None:
        words.append(f"Outcome RAG: {filters.outcome_rag.label}")
    phrases = {
        "overdue": "Overdue",
        "red_or_overdue": "Red or overdue",
        "due_soon": DUE_SOON_WORDS,
        "not_updated": "Not updated this reporting cycle",
        "no_owner": "No owner named",
        "no_accountable": "No accountable post named",
        "no_due_date": "No due date",
        "exception": "Red, overdue, with no owner, with no due date or not updated this cycle",
        "moved": "Due date moved",
    }
    words += [phrase for flag, phrase in phrases.items() if getattr(filters, flag)]
    if filters.accountable_agency_id is not None:
        words.append(f"Accountable agency: {agencies[filters.accountable_agency_id]}")
    if filters.accountable_post_id is not None:
        words.append(f"Accountable post: {posts[filters.accountable_post_id]}")
    if filters.moves is not None:
        words.append(f"Due date moved: {charts.moves_label(filters.moves, MOVES_CAP).lower()}")
    if filters.change is not None and filters.since is not None:
        words.append(f"{filters.change.label} since {format_date(filters.since)}")
    return words


@bp.app_template_filter("number")
def format_number(value: int | None) -> str:
    """12345 -> "12,345"."""
    return f"{value or 0:,}"


@bp.app_template_global("count_link")
def count_link(number: int | None, href: str, label: str = "") -> Markup:
    """A count in a table: a link to its actions (with words for screen readers), or a plain nought.

    A function rather than a template macro: the dashboard has a thousand of them.
    """
    # Safe: _count_link_html escapes everything it puts in.
    html = _count_link_html(number, href, label)
    return Markup(html)  # nosec B704  # noqa: S704


def _count_link_html(number: int | None, href: str, label: str) -> str:
    if not number:
        return "0"
    hidden = f'<span class="govuk-visually-hidden"> {escape(label)}</span>' if label else ""
    # Every value put in is escaped here or is a number.
    return f'<a class="govuk-link" href="{escape(href)}">{number:,}{hidden}</a>'


@bp.cli.command("month-ends")
def month_ends_command() -> None:
    """Keep each action's state at every past month end and meeting day not yet kept (the nightly auto-amber run does this too).

    The dashboard's trend, "since the last meeting" and past views start from these; run it after an
    import or restoring a backup.
    """
    import click

    from tracker.jobs import take_month_ends

    click.echo(f"Kept {take_month_ends():,} month-end and meeting-day states of actions.")
