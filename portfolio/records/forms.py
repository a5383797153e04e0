"""Forms of the internship and language pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from .models import CEFR_LEVELS

LANGUAGES = {
    "en": _l("English"),
    "fr": _l("French"),
    "de": _l("German"),
    "es": _l("Spanish"),
    "it": _l("Italian"),
    "pt": _l("Portuguese"),
    "zh": _l("Chinese"),
    "ja": _l("Japanese"),
    "ar": _l("Arabic"),
}


def language_label(code: str):
    return LANGUAGES.get(code, code)


def strip(value):
    return value.strip() if isinstance(value, str) else value


DATE_HINT = _l("For example: 2025-03-31.")
FILE_HINT = _l("PDF, image or office document.")


class InternshipForm(FlaskForm):
    organisation = StringField(_l("Host organisation"), validators=[DataRequired(), Length(max=200)],
                               filters=[strip])
    tutor_name = StringField(_l("Tutor's name (optional)"), validators=[Optional(), Length(max=200)],
                             filters=[strip])
    tutor_email = EmailField(_l("Tutor's email (optional)"), validators=[Optional(), Email(), Length(max=254)],
                             filters=[strip])
    start = DateField(_l("First day"), validators=[InputRequired(message=_l("Give the first day."))],
                      description=DATE_HINT)
    end = DateField(
        _l("Last day"), validators=[InputRequired(message=_l("Give the last day."))],
        description=_l("Every calendar day counts, the first and the last included: 16 weeks are 112 days."))
    agreement = FileField(_l("Internship agreement (optional)"), description=FILE_HINT)
    submit = SubmitField(_l("Save the internship"))

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class LanguageCertificateForm(FlaskForm):
    language = SelectField(_l("Language"), choices=list(LANGUAGES.items()), default="en")
    level = SelectField(_l("CEFR level"), choices=[(level, level) for level in CEFR_LEVELS],
                        validators=[DataRequired()])
    test = StringField(_l("Test or certificate"), validators=[DataRequired(), Length(max=120)], filters=[strip],
                       description=_l("For example: TOEIC, IELTS, Cambridge C1 Advanced, Linguaskill."))
    date = DateField(_l("Date of the result"), validators=[InputRequired(message=_l("Give the date."))],
                     description=DATE_HINT)
    proof = FileField(_l("Certificate (optional)"), description=FILE_HINT)
    submit = SubmitField(_l("Save the certificate"))


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF only."""
