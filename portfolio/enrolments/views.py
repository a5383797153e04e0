"""A candidate's enrolment page, seen by the candidate, their assessors, their jury and admins."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..labels import option_label
from ..policy import can, require
from . import services
from .forms import OptionForm
from .models import Enrolment

bp = Blueprint("enrolments", __name__, url_prefix="/enrolments")


@bp.route("/<int:enrolment_id>")
@login_required
def detail(enrolment_id: int):
    enrolment = require("view", db.session.get(Enrolment, enrolment_id))
    option_form = None
    if can(current_user, "choose_option", enrolment):
        option_form = OptionForm()
        option_form.option.choices = [(o, option_label(o)) for o in enrolment.certification.options]
    return render_template(
        "enrolments/detail.html", enrolment=enrolment, status=services.certification_status(enrolment),
        option_form=option_form, required=set(services.required_bloc_codes(enrolment)),
    )


@bp.route("/<int:enrolment_id>/option", methods=["POST"])
@login_required
def choose_option(enrolment_id: int):
    enrolment = require("choose_option", db.session.get(Enrolment, enrolment_id))
    form = OptionForm()
    form.option.choices = [(o, option_label(o)) for o in enrolment.certification.options]
    if not form.validate_on_submit():
        flash(_("Choose one of the options."), "error")
        return redirect(url_for(".detail", enrolment_id=enrolment.id))
    services.choose_option(enrolment, form.option.data, actor=current_user)
    db.session.commit()
    flash(_("Your option has been recorded."), "success")
    return redirect(url_for(".detail", enrolment_id=enrolment.id))
