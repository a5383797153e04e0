"""Forms of the annotation viewer. The form is the keyboard's (and no-JavaScript) way to create an annotation;
drawing on the page only fills its fields. Choices that depend on the file are set by the views.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AnnotationForm(FlaskForm):
    """Rendered with the prefix ``annotation``: field ids are ``annotation-page``, ``annotation-comment``…"""

    selection = HiddenField(default="region")  # region, passage (PDF) or polygon (image); radios in the page
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=999999)])
    x = FloatField(_l("x (from the left)"), validators=[Optional(), NumberRange(min=0)])
    y = FloatField(_l("y (from the top)"), validators=[Optional(), NumberRange(min=0)])
    w = FloatField(_l("Width"), validators=[Optional(), NumberRange(min=0)])
    h = FloatField(_l("Height"), validators=[Optional(), NumberRange(min=0)])
    points = StringField(_l("Polygon points"), validators=[Optional(), Length(max=20000)],
                         description=_l("Pairs x,y in pixels separated by spaces, e.g. 10,10 200,10 120,150."))
    quote = TextAreaField(_l("Quoted text"), validators=[Optional(), Length(max=5000)],
                          description=_l("Copy the passage exactly as it appears on the page."))
    prefix = HiddenField()
    suffix = HiddenField()
    start = StringField(_l("Start"), validators=[Optional(), Length(max=32)],
                        description=_l("A timecode HH:MM:SS:FF, or seconds."))
    end = StringField(_l("End (optional)"), validators=[Optional(), Length(max=32)],
                      description=_l("A timecode HH:MM:SS:FF, or seconds. Leave empty for a single moment."))
    comment = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=10000)])
    competence = SelectField(_l("Competence (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Add the annotation"))


class EditAnnotationForm(FlaskForm):
    lock_version = HiddenField(filters=[_int_or_none])
    comment = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=10000)])
    competence = SelectField(_l("Competence (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Save the annotation"))


class DeleteAnnotationForm(FlaskForm):
    lock_version = HiddenField(filters=[_int_or_none])
    submit = SubmitField(_l("Delete"))
