from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.validators import DataRequired


class OptionForm(FlaskForm):
    option = RadioField(_l("Option"), validators=[DataRequired()])
    submit = SubmitField(_l("Choose this option"))
