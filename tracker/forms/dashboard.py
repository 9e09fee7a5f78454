"""The dashboard's filters: a GET form, so every view of the dashboard is a link that can be shared."""

from __future__ import annotations

import re
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import Form, SelectField, StringField, SubmitField, ValidationError

from tracker import clock

# The first day a past view can show: no plan in the tracker starts before it.
EARLIEST_PAST_VIEW = date(2000, 1, 1)
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/ .-](\d{1,2})[/ .-](\d{4})$")


def read_day(text: str | None) -> date | None:
    """A date as the query string carries it (2015-09-30), or as people type it (30/9/2015, 30 9 2015)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DAY_MONTH_YEAR.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def as_at_problem(text: str | None) -> str | None:
    """What is wrong with an as-at date as given (None: nothing, or none given).

    The dashboard, the plan page and the action page all read `as_at` by this rule.
    """
    if not (text or "").strip():
        return None
    day = read_day(text)
    if day is None:
        return "Enter the as at date as year-month-day, for example 2015-09-30"
    if day > clock.today():
        return "Enter an as at date that is today or in the past"
    if day < EARLIEST_PAST_VIEW:
        return "Enter an as at date in 2000 or later"
    return None


class DashboardFiltersForm(Form):
    """Read from the query string; unknown plan, strand, agency or post ids are ignored, not errors."""

    plan = SelectField("Plan", widget=GovSelect(), validate_choice=False)
    strand = SelectField("Strand", widget=GovSelect(), validate_choice=False)
    agency = SelectField("Agency", widget=GovSelect(), validate_choice=False)
    post = SelectField("Post", widget=GovSelect(), validate_choice=False)
    as_at = StringField(
        "As at (leave blank for today)",
        widget=GovTextInput(),
        description="To see the dashboard as it stood at the end of a past day, for example 2015-09-30",
    )
    submit = SubmitField("Show the dashboard", widget=GovSubmitInput())

    def validate_as_at(self, field: StringField) -> None:
        problem = as_at_problem(field.data)
        if problem:
            raise ValidationError(problem)

    @property
    def as_at_day(self) -> date | None:
        """The past day asked for, when it is a valid one."""
        if self.as_at.errors:
            return None
        day = read_day(self.as_at.data)
        return day if day is not None and EARLIEST_PAST_VIEW <= day <= clock.today() else None
