"""Command-line tasks: `flask --app wsgi tracker ...`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.importers.csv_plan import PlanFileError
from tracker.models import Plan, Role, User
from tracker.services.accounts import AccountError, create_user
from tracker.services.import_plan import import_plan

tracker_cli = AppGroup("tracker", help="Safeguarding action plan tracker tasks.")


@tracker_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", required=True, help="At least 12 characters.")
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a user account."""
    try:
        user = create_user(email, name, role, password)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role.label.lower()} account for {user.email}.")


@tracker_cli.command("invite")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--post", "post_names", multiple=True, help="A post they hold, by name or alias (repeat for more).")
def invite_command(email: str, name: str, role: str, post_names: tuple[str, ...]) -> None:
    """Invite someone by email: they get a link (7 days, once) to set their password."""
    from tracker.importers.names import name_key
    from tracker.mail import MailError
    from tracker.models import TokenPurpose
    from tracker.services import account_emails, account_tokens, invitations
    from tracker.services.posts_agencies import post_meaning

    posts = []
    for post_name in post_names:
        post = post_meaning(name_key(post_name))
        if post is None:
            raise click.ClickException(f"There is no post called {post_name!r}. Add it first with add-post.")
        posts.append(post.id)
    try:
        user, raw = invitations.invite(None, email, name, Role(role), posts)
        token = account_tokens.open_token(user, TokenPurpose.INVITATION)
        account_emails.deliver(account_emails.invitation(user, raw, token, None))
    except (AccountError, MailError) as error:
        db.session.rollback()
        raise click.ClickException(f"Nobody was invited. {error}") from None
    db.session.commit()
    click.echo(f"Invited {user.email} as {user.role.label.lower()}; the invitation email has been sent.")


@tracker_cli.command("add-post")
@click.option("--name", required=True)
@click.option("--agency", "agency_name", default="", help="The agency the post belongs to (created if new).")
def add_post_command(name: str, agency_name: str) -> None:
    """Add a post (and its agency, if new)."""
    from tracker.importers.names import name_key
    from tracker.services.posts_agencies import NameRejected, add_agency, add_post, agency_meaning

    try:
        agency = None
        if agency_name.strip():
            agency = agency_meaning(name_key(agency_name)) or add_agency(None, agency_name)
        post = add_post(None, name, agency)
    except NameRejected as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Added the post {post.name!r}" + (f" at {agency.name!r}." if agency else "."))


@tracker_cli.command("load-demo")
def load_demo_command() -> None:
    """Load the Coventry 2015 plan and the demo accounts, if the database has no plan yet."""
    from tracker.demo import DEMO_ACCOUNTS, load_demo
    from tracker.jobs import take_month_ends

    result = load_demo()
    if result is None:
        click.echo("The database already holds a plan: the demo plan was not loaded again.")
    else:
        click.echo(f"Loaded {result.plan.name!r}: {result.actions} actions.")
        for item in result.timescales_to_review:
            click.echo(f"  Timescale to review: {item}")
        # As the nightly job would: the dashboard's trend and past views start from these, and
        # until they exist every view rebuilds them from the plan's history.
        click.echo(f"Month-end states of actions kept: {take_month_ends():,}.")
    click.echo("Demo accounts (for demonstration only):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role.label:<20} {account.email:<26} password: {account.password}")


@tracker_cli.command("import")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan", "plan_name", required=True, help="The plan to import into: a new name, or an existing plan.")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Same as FILE.")
@click.option("--dry-run", is_flag=True, help="Show the preview's problems and save nothing.")
@click.option("--import-flagged", is_flag=True, help="Import rows with problems, flagged for review.")
@click.option("--sheet", help="The Excel sheet to read (default: the first).")
@click.option("--table", "table_number", type=int, help="The Word table to read, from 1 (default: the first).")
def import_command(
    plan_name: str,
    file: Path | None,
    path: Path | None,
    dry_run: bool,
    import_flagged: bool,
    sheet: str | None,
    table_number: int | None,
) -> None:
    """Import a plan from a CSV, Excel (.xlsx) or Word (.docx) file, into a new or an existing plan.

    The preview's problems are printed; rows with problems stop the import unless --import-flagged.
    """
    from tracker.importers.mapping import FIELDS, detect_header_row, mapping_problems, suggest_mapping
    from tracker.importers.preview import build_preview, rows_to_import
    from tracker.importers.tables import pick_table, read_tables

    source = file or path
    if source is None:
        raise click.UsageError("Name the file to import: tracker import FILE --plan NAME.")
    try:
        table = pick_table(read_tables(source.name, source.read_bytes()), sheet, table_number)
    except PlanFileError as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None
    header_row = detect_header_row(table)
    mapping = suggest_mapping(table.rows[header_row])
    click.echo(f"Reading {table.name!r}, header on row {table.row_numbers[header_row]}.")
    for column, field in zip(table.rows[header_row], mapping, strict=True):
        click.echo(f"  {column or '(blank)'!r} -> {FIELDS.get(field, 'not imported')}")
    problems = mapping_problems(mapping)
    if problems:
        raise click.ClickException("Nothing was imported. " + " ".join(problems))
    preview = build_preview(table, header_row, mapping)
    for note in preview.notes:
        click.echo(f"  Note: {note}")
    for row in preview.with_problems:
        for problem in row.problems:
            click.echo(f"  Row {row.line}: {problem}")
    if dry_run:
        click.echo(f"Dry run: {len(preview.importable)} actions would be imported; nothing was saved.")
        return
    problem_rows = [row for row in preview.with_problems if not row.skipped]
    if problem_rows and not import_flagged:
        raise click.ClickException(
            f"Nothing was imported: {len(problem_rows)} row{'s have' if len(problem_rows) != 1 else ' has'} problems "
            "(listed above). Fix them in the file, or run again with --import-flagged to import them flagged for review."
        )
    existing = db.session.scalar(select(Plan).where(Plan.name == plan_name))
    try:
        result = import_plan(plan_name, rows_to_import(preview), into=existing, source=repr(source.name))
    except PlanFileError as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing was imported. {error}") from None
    db.session.commit()
    click.echo(
        f"Imported into {plan_name!r}: {result.actions} actions added, {result.updated} changed, "
        f"{result.unchanged} unchanged."
    )
    for item in result.timescales_to_review:
        click.echo(f"  Timescale to review: {item}")


@tracker_cli.command("import-measures")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan", "plan_name", required=True, help="The plan whose measures the figures are for.")
@click.option("--dry-run", is_flag=True, help="Show what each row would do and save nothing.")
def import_measures_command(file: Path, plan_name: str, dry_run: bool) -> None:
    """Import measure figures (period, measure, value; optionally note and source) from a CSV or Excel file.

    Every row is listed as new, a correction, unchanged or refused with its reason; refused rows are never
    saved. Each change is written to its measure's history as the system's, "Imported from FILE".
    """
    from tracker.importers.tables import read_tables
    from tracker.services.import_measures import (
        CORRECTION,
        FiguresFileError,
        build_figures_preview,
        import_figures,
    )

    plan = db.session.scalar(select(Plan).where(Plan.name == plan_name))
    if plan is None:
        raise click.ClickException(f"There is no plan called {plan_name!r}. Nothing was imported.")
    if file.suffix.lower() not in (".csv", ".xlsx"):
        raise click.ClickException(f"{file.name!r} is not a CSV or Excel (.xlsx) file. Nothing was imported.")
    today = clock.today()
    try:
        preview = build_figures_preview(plan, read_tables(file.name, file.read_bytes()), file.name, today)
    except (PlanFileError, FiguresFileError) as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None
    for note in preview.notes:
        click.echo(f"  Note: {note}")
    for row in preview.rows:
        what = row.status
        if row.status == CORRECTION:
            what += f": {row.figure(row.old_value)} to {row.figure(row.value)}"
        elif row.reason:
            what += f": {row.reason}"
        click.echo(f"Row {row.line}: {what}")
    counts = preview.counts
    summary = (
        f"{counts['new']} new, {counts['correction']} corrected, {counts['unchanged']} unchanged, "
        f"{counts['refused']} refused"
    )
    if dry_run:
        click.echo(f"Dry run: {summary}; nothing was saved.")
        return
    import_figures(preview, None, today)
    db.session.commit()
    click.echo(f"Imported into {plan.name!r}: {summary} (refused rows were not saved).")


@tracker_cli.command("export")
@click.option(
    "--plan", "plan_name", required=True, help="The plan's name, as on the plans page (quote names with spaces)."
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["pdf", "xlsx", "csv", "measures-csv"]),
    default="csv",
    show_default=True,
    help="measures-csv: the plan's measures, one row per measure per period.",
)
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--public", is_flag=True, help="The public version: no restricted actions, no person named.")
@click.option("--as-at", "as_at", type=click.DateTime(formats=["%Y-%m-%d"]), help="The plan as it stood that day.")
@click.option(
    "--import-layout",
    is_flag=True,
    help="The plan in the import layout (CSV or Excel), to edit and import back, instead of the progress report.",
)
def export_command(plan_name: str, file_format: str, output: Path, public: bool, as_at, import_layout: bool) -> None:
    """Write the plan's progress report as PDF, Excel workbook, CSV or measures CSV (as the reports page does).

    The CSV keeps the plan's own columns first, so it imports back into the tracker; --import-layout
    writes only those columns, as CSV or as an Excel workbook.
    """
    from tracker.reports.dataset import ReportChoice, build_report
    from tracker.reports.files import FORMAT_NAMES, render

    plan = db.session.scalar(select(Plan).where(Plan.name == plan_name))
    if plan is None:
        names = ", ".join(repr(n) for n in db.session.scalars(select(Plan.name).order_by(Plan.name)))
        raise click.ClickException(f"There is no plan called {plan_name!r}. Plans: {names or 'none'}.")
    day = as_at.date() if as_at else None
    if day is not None and day > clock.today():
        raise click.ClickException("The --as-at date must be today or in the past.")
    # The command line is the board's own record, so it is written as an administrator would see it
    # (the public version still leaves out restricted actions and names).
    exporter = User(role=Role.ADMIN, email="", name="the command line", password_hash="")  # nosec B106
    if import_layout:
        _export_import_layout(plan, file_format, output, exporter, public or day is not None)
        return
    choice = ReportChoice(plan_id=plan.id, as_at=day, public=public)
    with_changes = file_format not in ("csv", "measures-csv")
    data = build_report(choice, exporter, clock.today(), clock.now(), with_changes=with_changes)
    output.write_bytes(render(data, file_format))
    click.echo(f"Wrote {plan.name!r} as {FORMAT_NAMES[file_format]} to {output}.")


def _export_import_layout(plan: Plan, file_format: str, output: Path, exporter: User, refused: bool) -> None:
    from tracker.reports.plan_export import plan_csv_chunks
    from tracker.reports.plan_export_xlsx import plan_xlsx_bytes

    if refused or file_format in ("pdf", "measures-csv"):
        raise click.ClickException(
            "The import layout is the whole plan today, as CSV or Excel: leave out --public, --as-at and --format pdf."
        )
    if file_format == "xlsx":
        output.write_bytes(plan_xlsx_bytes(plan.id, plan.name, exporter, clock.today()))
    else:
        with output.open("w", encoding="utf-8", newline="") as handle:
            for chunk in plan_csv_chunks(plan.id, exporter, clock.today()):
                handle.write(chunk)
    click.echo(f"Wrote {plan.name!r} in the import layout to {output}.")


@tracker_cli.command("auto-amber")
def auto_amber_command() -> None:
    """Record actions that have become overdue (and due escalations to Red) and notify their owners.

    Safe to run as often as you like, on several servers at once: each event is recorded once.
    """
    from tracker.jobs import auto_amber, take_month_ends

    result = auto_amber()
    click.echo(
        f"Newly overdue actions recorded: {result.newly_overdue}. "
        f"Turned Red by escalation: {result.escalated_to_red}. "
        f"Notifications to owners: {result.notifications}."
    )
    # Nightly, so the dashboard's trend and past views find last month's end kept.
    click.echo(f"Month-end states of actions kept: {take_month_ends():,}.")


@tracker_cli.command("send-reminders")
def send_reminders_command() -> None:
    """Email each person one digest of their actions due soon, newly overdue or needing an update.

    At most one email per person per day however often it runs; failed deliveries are logged and
    retried on the next run. Run auto-amber first so newly overdue actions are included.
    """
    from tracker.jobs import send_reminders

    result = send_reminders()
    click.echo(
        f"Reminder emails sent: {result.sent}. "
        f"Failed, to be retried on the next run: {result.failed}. "
        f"Already sent today: {result.already_sent}."
    )


@tracker_cli.command("prune-sign-ins")
def prune_sign_ins_command() -> None:
    """Remove sign-in counters whose window and lock are over, and sign-in events past SIGN_IN_EVENTS_KEEP_DAYS."""
    from tracker.jobs import prune_sign_ins

    result = prune_sign_ins()
    click.echo(f"Sign-in counters removed: {result.counters}. Sign-in events removed: {result.events}.")


@tracker_cli.command("sweep-evidence")
def sweep_evidence_command() -> None:
    """Remove evidence files (local folder, S3) that no evidence names and are over an hour old."""
    from tracker.jobs import sweep_evidence

    result = sweep_evidence()
    click.echo(f"Evidence files removed: {result.removed}. Kept: {result.kept}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(tracker_cli)
