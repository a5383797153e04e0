"""Forms of the jury pages. Choices that come from the database are set by the views."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

ROUTE_CHOICES = [("training", _l("Training routes (student, apprenticeship, continuing, professionalisation)")),
                 ("vae", _l("Validation of prior experience (VAE)"))]
ROLE_CHOICES = [("member", _l("member")), ("president", _l("president")), ("secretary", _l("secretary"))]
GENDER_CHOICES = [("", _l("not recorded")), ("f", _l("woman")), ("m", _l("man")), ("x", _l("other"))]
KIND_CHOICES = [("declared", _l("declared a link")), ("assessed", _l("assessed the candidate")),
                ("accompanied", _l("accompanied the candidate"))]
DECISION_CHOICES = [("validated", _l("validated")), ("not_validated", _l("not validated"))]
ATTENDANCE_CHOICES = [("expected", _l("expected")), ("present", _l("present")), ("absent", _l("absent")),
                      ("excused", _l("excused"))]
SLOT_HINT = _l("VAE only: the date and time of the candidate's defence.")


def strip(value):
    return value.strip() if isinstance(value, str) else value


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class SessionForm(FlaskForm):
    certification = SelectField(_l("Certification"), validators=[DataRequired()])
    route = RadioField(_l("Route"), choices=ROUTE_CHOICES, default="training", validators=[DataRequired()])
    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Give the date of the session."))],
                     description=_l("For example: 2026-06-12."))
    place = StringField(_l("Place (optional)"), validators=[Optional(), Length(max=200)], filters=[strip])
    submit = SubmitField(_l("Create the session"))


class MemberForm(FlaskForm):
    user = SelectField(_l("Jury member"), validators=[DataRequired(message=_l("Choose a user."))],
                       description=_l("Users with the jury member role."))
    role = SelectField(_l("Role in the jury"), choices=ROLE_CHOICES, default="member")
    is_academic = BooleanField(_l("Enseignant-chercheur (academic)"))
    is_professional = BooleanField(_l("Professional of the field"))
    gender = SelectField(_l("Gender (optional)"), choices=GENDER_CHOICES, default="",
                         description=_l("Only used to check the balance between women and men."))
    submit = SubmitField(_l("Add the member"))


class CandidateForm(FlaskForm):
    enrolment = SelectField(_l("Candidate"), validators=[DataRequired(message=_l("Choose a candidate."))])
    slot_at = DateTimeLocalField(_l("Defence time slot (optional)"), validators=[Optional()],
                                 format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], description=SLOT_HINT)
    submit = SubmitField(_l("Add the candidate"))


class SlotForm(FlaskForm):
    slot_at = DateTimeLocalField(_l("Defence time slot"), validators=[Optional()],
                                 format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], description=SLOT_HINT)
    submit = SubmitField(_l("Save the time slot"))


class ConflictForm(FlaskForm):
    member = SelectField(_l("Member"), validators=[DataRequired()])
    enrolment = SelectField(_l("Candidate"), validators=[DataRequired()])
    kind = SelectField(_l("Link"), choices=KIND_CHOICES, default="declared")
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)], filters=[strip])
    submit = SubmitField(_l("Record the link"))


class AttendanceForm(FlaskForm):
    attendance = RadioField(_l("Attendance"), choices=ATTENDANCE_CHOICES, validators=[DataRequired()])
    submit = SubmitField(_l("Save the attendance"))


class DecisionForm(FlaskForm):
    """One bloc's decision; the page holds one per bloc, each with the bloc's code as prefix."""

    bloc = HiddenField()
    revokes = HiddenField()
    decision = RadioField(_l("Decision"), choices=DECISION_CHOICES,
                          validators=[DataRequired(message=_l("Choose validated or not validated."))])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=10_000)], filters=[strip])
    recommendations = TextAreaField(
        _l("Recommendations (préconisations)"), validators=[Optional(), Length(max=10_000)], filters=[strip],
        description=_l("For a bloc not validated: what the candidate should do before coming back."))
    is_casting_vote = BooleanField(_l("Decided by the president's casting vote"))
    reason = TextAreaField(_l("Reason for revoking the earlier decision"), validators=[Optional(), Length(max=10_000)],
                           filters=[strip])
    submit = SubmitField(_l("Record the decision"))
