"""Forms of the grading pages.

The grading form carries ``lock_version``, the version of the marking it was rendered with (0: no
marking yet), so that a save made on a stale page is refused instead of overwriting. Its rows (one
level radio group and one comment per competence) are named ``level-<competence id>`` and
``comment-<competence id>`` and read by the view.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

try:  # WTForms 3.3 deprecates (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choice(value: str, label) -> object:
    """A select option, in the form the installed WTForms prefers."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class GradingForm(FlaskForm):
    lock_version = HiddenField(filters=[_int_or_none])
    version = HiddenField(filters=[_int_or_none])
    mark = StringField(_l("Mark out of 20 (optional)"), validators=[Optional(), Length(max=8)],
                       description=_l("A number from 0 to 20, for example 14.5."))
    feedback = TextAreaField(_l("Overall feedback"), validators=[Optional(), Length(max=20000)])
    action = HiddenField()  # the buttons are named "action": "save" or "release"


class AgreedGradeForm(FlaskForm):
    version = HiddenField(filters=[_int_or_none])
    competence = HiddenField()
    level = StringField(_l("Agreed level"))  # a radio group in the page; the service checks the scale
    comment = TextAreaField(_l("Comment on the agreement"), validators=[Optional(), Length(max=4000)])


class QueueFilterForm(FlaskForm):
    """The queue's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    cohort = SelectField(_l("Cohort"), choices=[], validate_choice=False)
    assessment = SelectField(_l("Assessment"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    late = SelectField(_l("Lateness"), choices=[], validate_choice=False)
