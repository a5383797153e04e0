"""Pages of an enrolment's internships and language certificates.

The candidate records their own; their assessors, their jury and admins read them (admins may also
record). Uploaded files are stored with the record in the same transaction: a refused file leaves
neither the file nor the record behind.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..enrolments.models import Enrolment
from ..extensions import db
from ..files.services import UploadError
from ..policy import can, require
from . import services
from .forms import ConfirmForm, InternshipForm, LanguageCertificateForm, language_label
from .links import attachment_url
from .models import Internship, LanguageCertificate

bp = Blueprint("records", __name__, url_prefix="/enrolments")


@bp.context_processor
def helpers():
    return {"attachment_url": attachment_url, "weeks_and_days": services.weeks_and_days,
            "language_label": language_label, "format_date": format_date}


def _enrolment(enrolment_id: int, action: str = "view") -> Enrolment:
    return require(action, db.session.get(Enrolment, enrolment_id))


def _owned(model, row_id: int, enrolment: Enrolment):
    row = db.session.get(model, row_id)
    if row is None or row.enrolment_id != enrolment.id:
        abort(404)
    return row


def _upload_into(field, store) -> UploadError | None:
    """Store the file of ``field`` (if one was chosen) with ``store(stream, filename)``; the error, if any."""
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        store(upload.stream, upload.filename)
    except UploadError as exc:
        db.session.rollback()
        field.errors = [*field.errors, _("This file was not accepted: %(reason)s", reason=str(exc))]
        return exc
    return None


# --- internships ----------------------------------------------------------------------------------

def _internship_page(enrolment: Enrolment, form: InternshipForm | None, status: int = 200):
    return render_template(
        "records/internships.html", enrolment=enrolment, internships=services.internships_of(enrolment),
        rule=services.internship_rule(enrolment), form=form, confirm=ConfirmForm(),
        may_edit=can(current_user, "edit_records", enrolment),
    ), status


@bp.route("/<int:enrolment_id>/internship", methods=["GET", "POST"])
@login_required
def internships(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    may_edit = can(current_user, "edit_records", enrolment)
    form = InternshipForm() if may_edit else None
    if form is None:
        if request.method != "GET":
            abort(403)
        return _internship_page(enrolment, None)
    if form.validate_on_submit():
        try:
            row = services.record_internship(
                enrolment, organisation=form.organisation.data, start=form.start.data, end=form.end.data,
                tutor_name=form.tutor_name.data, tutor_email=form.tutor_email.data, actor=current_user)
        except services.RecordError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.organisation).errors.append(str(exc))
            return _internship_page(enrolment, form, 422)
        error = _upload_into(form.agreement, lambda stream, name: services.add_agreement(
            row, stream, name, actor=current_user))
        if error is not None:
            return _internship_page(enrolment, form, error.status)
        db.session.commit()
        flash(_("The internship has been recorded."), "success")
        return redirect(url_for(".internships", enrolment_id=enrolment.id))
    return _internship_page(enrolment, form, 422 if form.errors else 200)


@bp.route("/<int:enrolment_id>/internship/<int:internship_id>/edit", methods=["GET", "POST"])
@login_required
def internship_edit(enrolment_id: int, internship_id: int):
    enrolment = _enrolment(enrolment_id)
    row = require("edit", _owned(Internship, internship_id, enrolment))
    if request.method == "GET":
        form = InternshipForm(data={"organisation": row.organisation, "tutor_name": row.tutor_name,
                                    "tutor_email": row.tutor_email, "start": row.start_date, "end": row.end_date})
    else:
        form = InternshipForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.update_internship(
                row, organisation=form.organisation.data, start=form.start.data, end=form.end.data,
                tutor_name=form.tutor_name.data, tutor_email=form.tutor_email.data, actor=current_user)
        except services.RecordError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.organisation).errors.append(str(exc))
            status = 422
        else:
            error = _upload_into(form.agreement, lambda stream, name: services.add_agreement(
                row, stream, name, actor=current_user))
            if error is None:
                db.session.commit()
                flash(_("The internship has been updated."), "success")
                return redirect(url_for(".internships", enrolment_id=enrolment.id))
            status = error.status
    elif form.errors:
        status = 422
    return render_template("records/internship_edit.html", enrolment=enrolment, internship=row,
                           form=form), status


@bp.route("/<int:enrolment_id>/internship/<int:internship_id>/delete", methods=["POST"])
@login_required
def internship_delete(enrolment_id: int, internship_id: int):
    enrolment = _enrolment(enrolment_id)
    row = require("edit", _owned(Internship, internship_id, enrolment))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_internship(row, actor=current_user)
    db.session.commit()
    flash(_("The internship has been deleted."), "success")
    return redirect(url_for(".internships", enrolment_id=enrolment.id))


# --- language certificates ------------------------------------------------------------------------

def _languages_page(enrolment: Enrolment, form: LanguageCertificateForm | None, status: int = 200):
    return render_template(
        "records/languages.html", enrolment=enrolment, certificates=services.certificates_of(enrolment),
        form=form, confirm=ConfirmForm(), may_edit=can(current_user, "edit_records", enrolment),
    ), status


@bp.route("/<int:enrolment_id>/languages", methods=["GET", "POST"])
@login_required
def languages(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    form = LanguageCertificateForm() if can(current_user, "edit_records", enrolment) else None
    if form is None:
        if request.method != "GET":
            abort(403)
        return _languages_page(enrolment, None)
    if form.validate_on_submit():
        try:
            row = services.record_language_certificate(
                enrolment, level=form.level.data, test=form.test.data, on=form.date.data,
                language=form.language.data, actor=current_user)
        except services.RecordError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.test).errors.append(str(exc))
            return _languages_page(enrolment, form, 422)
        error = _upload_into(form.proof, lambda stream, name: services.add_certificate_proof(
            row, stream, name, actor=current_user))
        if error is not None:
            return _languages_page(enrolment, form, error.status)
        db.session.commit()
        flash(_("The language certificate has been recorded."), "success")
        return redirect(url_for(".languages", enrolment_id=enrolment.id))
    return _languages_page(enrolment, form, 422 if form.errors else 200)


@bp.route("/<int:enrolment_id>/languages/<int:certificate_id>/delete", methods=["POST"])
@login_required
def language_delete(enrolment_id: int, certificate_id: int):
    enrolment = _enrolment(enrolment_id)
    row = require("edit", _owned(LanguageCertificate, certificate_id, enrolment))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_language_certificate(row, actor=current_user)
    db.session.commit()
    flash(_("The language certificate has been deleted."), "success")
    return redirect(url_for(".languages", enrolment_id=enrolment.id))
