"""Forms of the evidence pages. Choices that depend on the candidate are set by the views.

Every form that changes a deliverable carries ``lock_version``, the version of the deliverable it was
rendered with, so that a change made on a stale page is refused instead of overwriting.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class LockedForm(FlaskForm):
    """A form acting on a deliverable: it remembers the version it was rendered with."""

    lock_version = HiddenField(filters=[_int_or_none])


class DeliverableForm(FlaskForm):
    assessment = HiddenField()
    type = SelectField(_l("Type of deliverable"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example: “Dossier de production — Les Veilleurs”."))
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Create the deliverable"))


class UploadForm(LockedForm):
    files = MultipleFileField(_l("Files"), description=_l("You may choose several files at once."))
    submit = SubmitField(_l("Upload"))


class TagsForm(LockedForm):
    """The competences themselves are checkboxes named ``competences`` with a ``justification-<code>`` each."""

    submit = SubmitField(_l("Save the competences"))


class ActionForm(LockedForm):
    """A button acting on a deliverable (submit, new version, remove a file)."""
