"""Fields the administration forms share: a choice from a list with a message that says what to do."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.validators import ValidationError


class ChoiceField(SelectField):
    """A select whose value must be one offered (ids as numbers); anything else gets `message`.

    An empty value is allowed when the choices start with ("", ...) and means None.
    """

    def __init__(self, label: str, message: str, **kwargs) -> None:
        super().__init__(label, widget=GovSelect(), validate_choice=False, coerce=int, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[str]) -> None:
        value = valuelist[0].strip() if valuelist else ""
        self.data = int(value) if value.isdigit() and len(value) < 12 else (None if not value else -1)

    def pre_validate(self, form) -> None:
        allowed = {value for value, _ in self.choices or []}
        if self.data is None and "" in allowed:
            return
        if self.data not in allowed:
            raise ValidationError(self.message)

    def iter_choices(self):
        for value, label in self.choices or []:
            yield (value, label, value == self.data or (value == "" and self.data is None), {})
