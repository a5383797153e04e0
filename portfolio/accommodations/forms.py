"""The accommodation form and the labels of accommodations."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

KIND_LABELS = {
    "extra_time": _l("Extra time on every assessment"),
    "due_date": _l("A new due date for one assessment"),
}
BASIS_LABELS = {
    "disability": _l("Disability"),
    "temporary": _l("Temporary condition"),
    "other": _l("Other situation"),
}


def kind_label(code):
    return KIND_LABELS.get(code, code)


def basis_label(code):
    return BASIS_LABELS.get(code, code)


def optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


class AccommodationForm(FlaskForm):
    kind = RadioField(_l("Kind of accommodation"), choices=list(KIND_LABELS.items()), validators=[DataRequired()])
    extra_time_percent = IntegerField(
        _l("Extra time, in percent of each assessment's duration"),
        validators=[Optional(), NumberRange(min=1, max=300)],
        description=_l("For extra time only. For example 33 for a third more time."))
    assessment = SelectField(_l("Assessment"), coerce=optional_int, validators=[Optional()],
                             description=_l("For a new due date only."))
    new_due_at = DateTimeLocalField(_l("New due date and time"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                    description=_l("For a new due date only. For example: 2026-06-15T18:00."))
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(message=_l("Give the first day."))],
                           default=date.today)
    valid_until = DateField(_l("Valid until (optional)"), validators=[Optional()],
                            description=_l("Leave empty if it has no end."))
    basis = RadioField(_l("Basis (a broad category, never a diagnosis)"), choices=list(BASIS_LABELS.items()),
                       validators=[DataRequired()], default="disability")
    notes = TextAreaField(
        _l("Practical notes for the organisers (optional)"), validators=[Optional(), Length(max=2000)],
        description=_l("Warning: do not enter any medical information or diagnosis here. Write only the "
                       "practical arrangements (room, equipment, breaks)."))
    submit = SubmitField(_l("Record the accommodation"))

    def validate_valid_until(self, field):
        if self.valid_from.data and field.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The end of validity cannot be before its start."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data == "extra_time" and self.extra_time_percent.data is None \
                and not self.extra_time_percent.errors:
            self.extra_time_percent.errors = [_l("Give the extra time in percent.")]
            valid = False
        if self.kind.data == "due_date":
            if self.assessment.data is None and not self.assessment.errors:
                self.assessment.errors = [_l("Choose the assessment.")]
                valid = False
            if self.new_due_at.data is None and not self.new_due_at.errors:
                self.new_due_at.errors = [_l("Give the new due date and time.")]
                valid = False
        return valid


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""
