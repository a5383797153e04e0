"""Evidence pages: a candidate's deliverables, one deliverable with its versions, tags and uploads, coverage.

The candidate acts on their own evidence; their assessors, their jury and admins see the same pages
read-only. Upload forms work without JavaScript; with it (static/js/upload.js) they post through
XMLHttpRequest to show progress and get a JSON answer.
"""
from __future__ import annotations

from collections import OrderedDict

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from ..assessments.services import assessments_for_enrolment, kind_label
from ..enrolments.models import Enrolment
from ..extensions import db
from ..files.models import Attachment
from ..files.services import UploadError, max_upload_bytes
from ..policy import can, require
from . import services
from .coverage import coverage_for
from .forms import ActionForm, DeliverableForm, TagsForm, UploadForm
from .models import Deliverable, DeliverableVersion
from .services import EvidenceConflict, EvidenceError, InvalidEvidence, StaleDeliverable
from .types import DELIVERABLE_TYPES, accepted_formats, status_label, type_label

bp = Blueprint("evidence", __name__)


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


@bp.record_once
def _register_template_helpers(state) -> None:
    # Globals rather than a context processor: imported macros see globals, not the render context.
    state.app.jinja_env.globals.update(type_label=type_label, deliverable_status_label=status_label,
                                       kind_label=kind_label, human_size=human_size)


def _load_enrolment(enrolment_id: int, action: str = "view") -> Enrolment:
    return require(action, db.session.get(Enrolment, enrolment_id))


def _load_deliverable(deliverable_id: int, action: str = "view") -> Deliverable:
    deliverable = db.session.get(Deliverable, deliverable_id, options=[
        selectinload(Deliverable.versions).selectinload(DeliverableVersion.files), selectinload(Deliverable.tags)])
    return require(action, deliverable)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _done(deliverable_id: int, message: str):
    """Success: a flash and a redirect to the deliverable (JSON with the address for XMLHttpRequest)."""
    db.session.commit()
    flash(message, "success")
    target = url_for(".deliverable", deliverable_id=deliverable_id)
    if _wants_json():
        return jsonify(redirect=target)
    return redirect(target)


def _refused(deliverable_id: int, message: str, status: int, target: str | None = None):
    """A refused change: nothing is kept; the reason is flashed (or answered as JSON)."""
    db.session.rollback()
    if _wants_json():
        return jsonify(error=message), status
    flash(message, "error")
    return redirect(target or url_for(".deliverable", deliverable_id=deliverable_id))


# --- a candidate's evidence -------------------------------------------------------------------------

@bp.route("/enrolments/<int:enrolment_id>/evidence")
@login_required
def index(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    assessments = assessments_for_enrolment(enrolment)
    deliverables = services.enrolment_deliverables(enrolment)
    known = {a.id for a in assessments}
    by_assessment: dict[int, list[Deliverable]] = {a.id: [] for a in assessments}
    others = []
    for deliverable in deliverables:
        if deliverable.assessment_id in known:
            by_assessment[deliverable.assessment_id].append(deliverable)
        else:
            others.append(deliverable)
    blocs: OrderedDict = OrderedDict()
    for assessment in assessments:
        blocs.setdefault(assessment.bloc, []).append(assessment)
    due = {a.id: services.candidate_due_at(enrolment, a) for a in assessments}
    return render_template(
        "evidence/index.html", enrolment=enrolment, blocs=blocs, by_assessment=by_assessment, others=others,
        due=due, can_add=can(current_user, "add_evidence", enrolment), deliverable_count=len(deliverables),
    )


@bp.route("/enrolments/<int:enrolment_id>/evidence/new", methods=["GET", "POST"])
@login_required
def create(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id, "add_evidence")
    assessments = assessments_for_enrolment(enrolment)
    form = DeliverableForm()
    raw = form.assessment.data if request.method == "POST" else request.args.get("assessment", "")
    raw = (raw or "").strip()
    chosen = None
    free = raw == "none" and enrolment.route == "vae"
    if raw.isdigit():
        chosen = next((a for a in assessments if a.id == int(raw)), None)
    if chosen is None and not free:
        if raw:
            flash(_("Choose one of your assessments."), "error")
        return render_template("evidence/choose_assessment.html", enrolment=enrolment, assessments=assessments,
                               due={a.id: services.candidate_due_at(enrolment, a) for a in assessments})
    form.assessment.data = str(chosen.id) if chosen else "none"
    types = chosen.deliverable_types if chosen else list(DELIVERABLE_TYPES)
    form.type.choices = [(t, type_label(t)) for t in types]
    if form.validate_on_submit():
        try:
            deliverable = services.create_deliverable(
                enrolment, title=form.title.data, type_code=form.type.data, assessment=chosen,
                description=form.description.data, actor=current_user)
        except InvalidEvidence as exc:
            db.session.rollback()
            getattr(form, exc.field or "title", form.title).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The deliverable has been created. Add its files, then submit it."), "success")
            return redirect(url_for(".deliverable", deliverable_id=deliverable.id))
    due = services.candidate_due_at(enrolment, chosen)
    return render_template("evidence/create.html", enrolment=enrolment, form=form, assessment=chosen, due=due)


# --- one deliverable --------------------------------------------------------------------------------

@bp.route("/deliverables/<int:deliverable_id>")
@login_required
def deliverable(deliverable_id: int):
    deliverable = _load_deliverable(deliverable_id)
    can_edit = can(current_user, "edit", deliverable)
    return render_template(
        "evidence/deliverable.html", deliverable=deliverable, enrolment=deliverable.enrolment, can_edit=can_edit,
        due=services.candidate_due_at(deliverable.enrolment, deliverable.assessment),
        formats=accepted_formats(deliverable.type),
        max_upload_mb=max_upload_bytes() // (1024 * 1024),
    )


@bp.route("/deliverables/<int:deliverable_id>/files", methods=["POST"])
@login_required
def upload(deliverable_id: int):
    deliverable = _load_deliverable(deliverable_id, "edit")
    form = UploadForm()
    if not form.validate_on_submit():
        return _refused(deliverable.id, _("The form expired; please submit it again."), 400)
    files = [(f.stream, f.filename) for f in request.files.getlist(form.files.name) if f and f.filename]
    try:
        added = services.add_files(deliverable, files, actor=current_user, expected_version=form.lock_version.data)
    except (EvidenceError, UploadError) as exc:
        return _refused(deliverable.id, str(exc), exc.status)
    return _done(deliverable.id, ngettext("%(num)d file added.", "%(num)d files added.", len(added)))


@bp.route("/deliverables/<int:deliverable_id>/files/<int:attachment_id>/remove", methods=["POST"])
@login_required
def remove_file(deliverable_id: int, attachment_id: int):
    deliverable = _load_deliverable(deliverable_id, "edit")
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or all(attachment.version_id != v.id for v in deliverable.versions):
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        return _refused(deliverable.id, _("The form expired; please submit it again."), 400)
    name = attachment.name
    try:
        services.remove_file(deliverable, attachment, actor=current_user, expected_version=form.lock_version.data)
    except EvidenceError as exc:
        return _refused(deliverable.id, str(exc), exc.status)
    return _done(deliverable.id, _("The file %(name)s has been removed.", name=name))


@bp.route("/deliverables/<int:deliverable_id>/tags", methods=["GET", "POST"])
@login_required
def tags(deliverable_id: int):
    deliverable = _load_deliverable(deliverable_id, "edit")
    if deliverable.latest is not None and deliverable.latest.is_frozen:
        flash(_("The deliverable has been submitted: open a new version to change the competences it "
                "demonstrates."), "info")
        return redirect(url_for(".deliverable", deliverable_id=deliverable.id))
    form = TagsForm(data={"lock_version": deliverable.lock_version})
    selected = {t.competence.code: t.justification for t in deliverable.tags}
    error = None
    if form.validate_on_submit():
        codes = request.form.getlist("competences")
        pairs = [(code, request.form.get(f"justification-{code}", "")) for code in codes]
        try:
            services.set_tags(deliverable, pairs, actor=current_user, expected_version=form.lock_version.data)
        except StaleDeliverable as exc:
            return _refused(deliverable.id, str(exc), 409, url_for(".tags", deliverable_id=deliverable.id))
        except EvidenceConflict as exc:
            return _refused(deliverable.id, str(exc), 409)
        except InvalidEvidence as exc:
            db.session.rollback()
            deliverable = _load_deliverable(deliverable_id, "edit")
            error = str(exc)
            selected = dict(pairs)
        else:
            return _done(deliverable.id, _("The competences have been saved."))
    blocs: OrderedDict = OrderedDict()
    for competence in services.taggable_competences(deliverable.enrolment):
        blocs.setdefault(competence.bloc, []).append(competence)
    expected = {c.id for c in deliverable.assessment.competences} if deliverable.assessment else set()
    return render_template("evidence/tags.html", deliverable=deliverable, enrolment=deliverable.enrolment,
                           form=form, blocs=blocs, selected=selected, expected=expected, error=error)


@bp.route("/deliverables/<int:deliverable_id>/submit", methods=["POST"])
@login_required
def submit(deliverable_id: int):
    deliverable = _load_deliverable(deliverable_id, "edit")
    form = ActionForm()
    if not form.validate_on_submit():
        return _refused(deliverable.id, _("The form expired; please submit it again."), 400)
    try:
        version = services.submit(deliverable, actor=current_user, expected_version=form.lock_version.data)
    except EvidenceError as exc:
        return _refused(deliverable.id, str(exc), exc.status)
    if version.is_late:
        message = _("Version %(number)d has been submitted, after the due date: it is marked late.",
                    number=version.number)
    else:
        message = _("Version %(number)d has been submitted. It can no longer change.", number=version.number)
    return _done(deliverable.id, message)


@bp.route("/deliverables/<int:deliverable_id>/versions", methods=["POST"])
@login_required
def new_version(deliverable_id: int):
    deliverable = _load_deliverable(deliverable_id, "edit")
    form = ActionForm()
    if not form.validate_on_submit():
        return _refused(deliverable.id, _("The form expired; please submit it again."), 400)
    try:
        version = services.open_new_version(deliverable, actor=current_user, expected_version=form.lock_version.data)
    except EvidenceError as exc:
        return _refused(deliverable.id, str(exc), exc.status)
    return _done(deliverable.id, _("Version %(number)d is open: add its files, then submit it.",
                                   number=version.number))


# --- coverage ---------------------------------------------------------------------------------------

@bp.route("/enrolments/<int:enrolment_id>/coverage")
@login_required
def coverage(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    return render_template("evidence/coverage.html", enrolment=enrolment, coverage=coverage_for(enrolment))
