"""Forms and labels of the VAE dossier pages.

The competence mapping and the self-positioning have one row per competence of the referential:
they are read from the request by the views (with a FlaskForm for the CSRF token only).
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

PROOF_KIND_LABELS = {
    "employer_attestation": _l("Employer attestation"),
    "contract": _l("Employment contract"),
    "credits": _l("Credits (générique)"),
    "published_work": _l("Published work (link)"),
    "payslip": _l("Payslip"),
    "other": _l("Other proof"),
}
POSITIONING_LABELS = {"yes": _l("Yes"), "partly": _l("Partly"), "no": _l("No")}
DECISION_LABELS = {
    "admissible": _l("admissible"),
    "not_admissible": _l("not admissible"),
    "incomplete": _l("incomplete"),
}


def _label(table: dict):
    return lambda code: table.get(code, code) if code else ""


proof_kind_label = _label(PROOF_KIND_LABELS)
positioning_label = _label(POSITIONING_LABELS)
decision_label = _label(DECISION_LABELS)


def strip(value):
    return value.strip() if isinstance(value, str) else value


DATE_HINT = _l("For example: 2021-09-01.")


class ExperienceForm(FlaskForm):
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)], filters=[strip],
                               description=_l("The company, production, festival or institution."))
    job_title = StringField(_l("Job title"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    start = DateField(_l("Start date"), validators=[InputRequired(message=_l("Give the start date."))],
                      description=DATE_HINT)
    end = DateField(_l("End date (leave empty if ongoing)"), validators=[Optional()], description=DATE_HINT)
    hours = IntegerField(_l("Hours worked (optional)"), validators=[Optional(), NumberRange(min=1, max=100000)],
                         description=_l("Give the hours worked, the share of full time, or both."))
    fte_percent = IntegerField(_l("Share of full time, in percent (optional)"),
                               validators=[Optional(), NumberRange(min=1, max=100)],
                               description=_l("100 for full time, 50 for half time."))
    activities = TextAreaField(_l("Activities"), validators=[Optional(), Length(max=10000)], filters=[strip],
                               description=_l("What you did, with whom, for which projects."))
    submit = SubmitField(_l("Save the experience"))

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.hours.data is None and self.fte_percent.data is None and not self.hours.errors \
                and not self.fte_percent.errors:
            self.hours.errors = [*self.hours.errors, _l("Give the hours worked or the share of full time.")]
            valid = False
        return valid


class ProofForm(FlaskForm):
    kind = SelectField(_l("Kind of proof"), choices=list(PROOF_KIND_LABELS.items()), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[strip],
                        description=_l("For example: Attestation from Les Films du Lendemain, 2019-2023."))
    url = URLField(_l("Link (optional)"), validators=[Optional(), Length(max=500)], filters=[strip],
                   description=_l("Required for a published work: where it can be seen or heard."))
    files = MultipleFileField(_l("Files (optional)"),
                              description=_l("PDF, images or office documents; you may choose several files."))
    submit = SubmitField(_l("Add the proof"))

    def validate_url(self, field):
        from .services import DossierError, check_url

        try:
            check_url(field.data)
        except DossierError:
            raise ValidationError(_l("Give a web address starting with http:// or https://.")) from None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data == "published_work" and not self.url.data and not self.url.errors:
            self.url.errors = [*self.url.errors, _l("A published work needs the link where it can be seen.")]
            valid = False
        elif not self.url.data and not self.chosen_files():
            self.files.errors = [*self.files.errors, _l("Add a file or a link.")]
            valid = False
        return valid

    def chosen_files(self) -> list:
        """The files actually chosen (an empty file input sends one nameless part)."""
        return [f for f in (self.files.data or []) if getattr(f, "filename", "")]


class AdmissibilityForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=list(DECISION_LABELS.items()), validators=[DataRequired()])
    decided_on = DateField(_l("Date of the decision"), validators=[InputRequired(message=_l("Give the date."))],
                           default=date.today)
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)], filters=[strip],
                           description=_l("Required when the dossier is not admissible or incomplete: "
                                          "the candidate reads it."))
    submit = SubmitField(_l("Record the decision"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data in ("not_admissible", "incomplete") and not self.reason.data:
            self.reason.errors = [*self.reason.errors, _l("Say why the dossier is not admissible or incomplete.")]
            valid = False
        return valid


class ConfirmForm(FlaskForm):
    """A form whose fields the view reads itself, or a button that changes something: CSRF only."""
