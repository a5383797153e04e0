"""The assessment form of the administration pages. Bloc and competence choices are set by the views."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..evidence.types import DELIVERABLE_TYPES
from .services import KIND_LABELS, KINDS


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AssessmentForm(FlaskForm):
    scope = RadioField(_l("Applies to"), choices=[("cohort", _l("this cohort only")),
                                                  ("all", _l("every cohort of the certification"))],
                       default="cohort", validators=[DataRequired()])
    bloc = SelectField(_l("Bloc"), coerce=int, validators=[DataRequired()])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)], filters=[_strip],
                       description=_l("Short and unique in the cohort, e.g. BC05-1."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)], filters=[_strip])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=5000)])
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in KINDS], validators=[DataRequired()])
    deliverable_types = CheckboxesField(
        _l("Expected types of deliverable"), choices=[(code, t["label"]) for code, t in DELIVERABLE_TYPES.items()])
    competences = CheckboxesField(_l("Competences covered"), coerce=int)
    opens_at = DateTimeLocalField(_l("Opens on (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    due_at = DateTimeLocalField(_l("Due on (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                description=_l("Candidates with an accommodation may have a later due date."))
    markers = RadioField(_l("Markers"), coerce=int, default=1,
                         choices=[(1, _l("one assessor")), (2, _l("two assessors (double marking)"))])
    is_individual = BooleanField(_l("Individual assessment"), default=True)
    submit = SubmitField(_l("Save the assessment"))
