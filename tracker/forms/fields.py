"""Form parts more than one form uses: GOV.UK date fields, the version stamp against lost updates,
and a service's refusals shown on the fields they are about."""

from __future__ import annotations

from datetime import date, datetime

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, HiddenField
from wtforms.form import BaseForm
from wtforms.validators import StopValidation

DATE_EXAMPLE = "for example 31 3 2016"


class _DateInput(GovDateInput):
    """The day, month and year boxes, grouped under the field's name, showing what was typed."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.name)
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None  # shown from the date itself (or empty), never half-unpacked
        return super().map_gov_params(field, **kwargs)


class GovDateField(Field):
    """A date typed as day, month and year, with GOV.UK messages ("The due date must include a month").

    The field's id is its day box, so the error summary's link puts the cursor where the fix starts.
    All three boxes empty means no date: an error "Enter <what>" when the date is required.
    """

    widget = _DateInput()

    def __init__(self, label: str, what: str, required: bool = True, **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.what = what  # "the new due date", used in messages
        self.required = required
        self.id = f"{self.name}-day"

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        parts = [value.strip() for value in [*valuelist, "", "", ""][:3]]
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        what = self.what[0].upper() + self.what[1:]
        missing = [name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value]
        if missing:
            raise ValueError(f"{what} must include a {' and a '.join(missing)}")
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise ValueError(f"{what} must be a real date, {DATE_EXAMPLE}")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(f"{what} must be a real date, {DATE_EXAMPLE}") from None

    def pre_validate(self, form) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise StopValidation(f"Enter {self.what}")


# Every form that changes an action carries, in hidden fields, the version it was opened at
# and when; these read them back (None when missing or tampered with: treated as out of date).
def parse_version(value: str | None) -> int | None:
    # isascii: "²" and other Unicode digits pass isdigit() but not int().
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 12 else None


def parse_opened_at(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


class VersionStamped:
    """Mixin for forms that change an action: the version and time the form was opened at."""

    version = HiddenField()
    opened_at = HiddenField()

    def stamp(self, action, opened_at: datetime) -> None:
        """Mark the form as opened at the action's current version (used again after a conflict)."""
        self.version.data = str(action.version)
        self.opened_at.data = opened_at.isoformat()

    @property
    def opened_version(self) -> int | None:
        return parse_version(self.version.data)

    @property
    def opened_time(self) -> datetime | None:
        return parse_opened_at(self.opened_at.data)


def show_problems(form: BaseForm, problems: dict[str | None, str]) -> None:
    """Put what a service refused on the fields it names (None: the form's first field), for the error summary."""
    for name, message in problems.items():
        field = getattr(form, name, None) if name else None
        if field is None:
            field = next(f for f in form if f.type not in ("CSRFTokenField", "SubmitField", "HiddenField"))
        if message not in field.errors:
            field.errors = [*field.errors, message]
