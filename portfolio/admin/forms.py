"""Forms of the administration pages. Choices that come from the database are set by the views."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.models import ROLES
from ..accounts.services import MIN_PASSWORD_LENGTH
from ..enrolments.models import ENROLMENT_ROUTES
from ..labels import ROLE_LABELS, ROUTE_LABELS


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes (rendered in a fieldset by the admin macros)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def strip(value):
    return value.strip() if isinstance(value, str) else value


def role_choices():
    return [(role, ROLE_LABELS[role]) for role in ROLES]


def route_choices():
    return [(route, ROUTE_LABELS[route]) for route in ENROLMENT_ROUTES]


class UserCreateForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[strip], render_kw={"autocomplete": "off"})
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)],
                       description=_l("First name then last name, as it will appear on documents."))
    roles = CheckboxesField(_l("Roles"), choices=role_choices)
    password = PasswordField(
        _l("Initial password (optional)"),
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
        description=_l("Leave empty to send the user an email with a link to choose their password."),
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create the user"))

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class UserEditForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    roles = CheckboxesField(_l("Roles"), choices=role_choices)
    is_active = BooleanField(_l("Active account (may log in)"))
    submit = SubmitField(_l("Save the changes"))


def _academic_year(form, field):
    if not field.data:
        return
    match = re.fullmatch(r"(\d{4})-(\d{4})", field.data.strip())
    if match is None or int(match[2]) != int(match[1]) + 1:
        raise ValidationError(_l("Write the academic year as two consecutive years, e.g. 2025-2026."))


class CohortForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("For example: DHEC 2025-2027 Paris."))
    certification = SelectField(_l("Certification"), coerce=int, validators=[DataRequired()])
    academic_year = StringField(_l("Academic year (optional)"), validators=[Optional(), _academic_year],
                                description=_l("For example: 2025-2026."))
    submit = SubmitField(_l("Create the cohort"))


class EnrolmentFieldsForm(FlaskForm):
    # The route is not restricted to the choices here: the enrolments service is the judge of which
    # routes the fiche opens, and its refusal is shown on this field.
    route = SelectField(_l("Route"), choices=route_choices, validate_choice=False, validators=[DataRequired()])
    option = SelectField(_l("Option"), validate_choice=False)
    cohort = SelectField(_l("Cohort"), validate_choice=False)


class EnrolmentCreateForm(EnrolmentFieldsForm):
    email = EmailField(_l("Candidate's email"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip],
                       description=_l("The user must exist; create them first on the users page."),
                       render_kw={"autocomplete": "off"})
    certification = SelectField(_l("Certification"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Enrol"))


class EnrolmentEditForm(EnrolmentFieldsForm):
    submit = SubmitField(_l("Save the changes"))


class AssignForm(FlaskForm):
    assessor = SelectField(_l("Assessor"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Assign"))


class RosterForm(FlaskForm):
    file = FileField(
        _l("Roster file (CSV)"), validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l("One line per candidate with the columns nom, prénom, email, voie and optionally "
                       "option (or last name, first name, email, route, option); comma or semicolon "
                       "separated, as Excel saves it."),
        render_kw={"accept": ".csv,.txt,.tsv,text/csv,text/plain"},
    )
    submit = SubmitField(_l("Import the roster"))


class ConfirmForm(FlaskForm):
    """Only a CSRF token, for buttons that change state."""
