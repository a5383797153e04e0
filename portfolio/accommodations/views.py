"""The disability referents' pages: candidates, their accommodations, recording and revoking them.

Hidden (404) from everyone but referents and admins, except that a candidate sees the effects of
their own accommodations. Every page that shows an accommodation writes an ``accommodation.read``
audit entry for each one shown.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..assessments.models import Assessment
from ..enrolments.models import Enrolment
from ..extensions import db
from ..policy import can, require
from . import services
from .forms import AccommodationForm, ConfirmForm, basis_label, kind_label
from .models import Accommodation
from .permissions import REGISTER, CandidateAccommodations

bp = Blueprint("accommodations", __name__, url_prefix="/accommodations")


@bp.context_processor
def helpers():
    return {"kind_label": kind_label, "basis_label": basis_label, "format_date": format_date,
            "format_datetime": format_datetime}


def _candidate(enrolment_id: int, action: str = "view") -> CandidateAccommodations:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    return require(action, CandidateAccommodations(enrolment))


def _accommodation(accommodation_id: int, action: str = "view") -> Accommodation:
    return require(action, db.session.get(Accommodation, accommodation_id))


def _aware(value):
    """A date and time typed in the platform's time zone, made timezone-aware."""
    if value is None:
        return None
    zone = get_timezone()
    return zone.localize(value) if hasattr(zone, "localize") else value.replace(tzinfo=zone)


@bp.route("/")
@login_required
def index():
    require("view", REGISTER)
    q = request.args.get("q", "").strip()[:200]
    return render_template("accommodations/index.html", enrolments=services.search_candidates(q), q=q)


@bp.route("/enrolments/<int:enrolment_id>")
@login_required
def candidate(enrolment_id: int):
    record = _candidate(enrolment_id)
    enrolment = record.enrolment
    rows = services.accommodations_of(enrolment)
    services.record_reads(rows, current_user, "list")
    effects = [(a, services.effective_due_at(enrolment, a)) for a in services.assessments_for(enrolment)
               if a.due_at is not None]
    db.session.commit()
    return render_template(
        "accommodations/candidate.html", enrolment=enrolment, accommodations=rows, effects=effects,
        may_create=can(current_user, "create", record),
        details=[can(current_user, "view_details", row) for row in rows],
    )


def _assessment_label(assessment: Assessment) -> str:
    label = f"{assessment.code} · {assessment.title}"
    if assessment.due_at is not None:
        label += " · " + _("due %(date)s", date=format_datetime(assessment.due_at, "short"))
    return label


@bp.route("/enrolments/<int:enrolment_id>/new", methods=["GET", "POST"])
@login_required
def create(enrolment_id: int):
    record = _candidate(enrolment_id, "create")
    enrolment = record.enrolment
    assessments = {a.id: a for a in services.assessments_for(enrolment)}
    form = AccommodationForm()
    form.assessment.choices = [("", _("Choose an assessment"))] + [
        (a.id, _assessment_label(a)) for a in assessments.values()]
    if form.validate_on_submit():
        common = {"valid_from": form.valid_from.data, "valid_until": form.valid_until.data,
                  "basis": form.basis.data, "notes": form.notes.data, "actor": current_user}
        try:
            if form.kind.data == "extra_time":
                row = services.grant_extra_time(enrolment, percent=form.extra_time_percent.data, **common)
            else:
                row = services.grant_due_date(enrolment, assessment=assessments.get(form.assessment.data),
                                              new_due_at=_aware(form.new_due_at.data), **common)
        except services.AccommodationError as exc:
            db.session.rollback()
            field = getattr(form, exc.field, form.kind)
            field.errors = [*field.errors, _error_message(exc)]
        else:
            db.session.commit()
            flash(_("The accommodation has been recorded."), "success")
            return redirect(url_for(".candidate", enrolment_id=enrolment.id, _anchor=f"accommodation-{row.id}"))
    return render_template("accommodations/create.html", enrolment=enrolment, form=form,
                           has_assessments=bool(assessments)), 422 if form.errors else 200


def _error_message(exc: services.AccommodationError) -> str:
    messages = {
        "assessment": _("Choose one of the candidate's assessments."),
        "new_due_at": _("The new due date must be later than the assessment's own due date."),
        "valid_until": _("The end of validity cannot be before its start."),
    }
    return messages.get(exc.field, str(exc))


@bp.route("/<int:accommodation_id>")
@login_required
def detail(accommodation_id: int):
    row = _accommodation(accommodation_id)
    services.record_reads([row], current_user, "detail")
    db.session.commit()
    return render_template("accommodations/detail.html", accommodation=row, enrolment=row.enrolment,
                           details=can(current_user, "view_details", row),
                           may_revoke=can(current_user, "revoke", row) and row.revoked_at is None,
                           confirm=ConfirmForm())


@bp.route("/<int:accommodation_id>/revoke", methods=["POST"])
@login_required
def revoke(accommodation_id: int):
    row = _accommodation(accommodation_id, "revoke")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if row.revoked_at is not None:
        flash(_("This accommodation was already revoked."), "info")
    else:
        services.revoke(row, actor=current_user)
        db.session.commit()
        flash(_("The accommodation has been revoked."), "success")
    return redirect(url_for(".candidate", enrolment_id=row.enrolment_id))
