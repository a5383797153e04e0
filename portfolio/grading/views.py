"""Grading pages: the grading form of a deliverable, the assessor's queue, progress, the feedback document.

Views load, ask the policy, call the services and commit once. The grading form works without
JavaScript: one radio group (with its legend) and one comment per competence, a mark, feedback,
and two buttons (save, or save and release).
"""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..enrolments.models import Assignment, Cohort, Enrolment
from ..evidence.models import Deliverable, DeliverableVersion
from ..extensions import db
from ..policy import can, require, require_role
from . import services
from .feedback_docx import annotation_position, feedback_document, timecode
from .forms import AgreedGradeForm, GradingForm, QueueFilterForm, choice
from .labels import level_label, marking_role_label, queue_status_label
from .models import LEVELS
from .permissions import can_settle
from .queue import QueueFilters, assessor_queue
from .services import GradeInput, GradingError, StaleMarking
from .status import bloc_status_map, bloc_statuses

bp = Blueprint("grading", __name__)

PROGRESS_PER_PAGE = 25
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.record_once
def _register_template_helpers(state) -> None:
    # Globals rather than a context processor: included templates and imported macros see them.
    state.app.jinja_env.globals.update(
        level_label=level_label, marking_role_label=marking_role_label, queue_status_label=queue_status_label,
        grade_levels=LEVELS, bloc_statuses_for=bloc_statuses_for, released_grading=released_grading,
        annotation_position=annotation_position, timecode=timecode, annotation_viewer_url=annotation_viewer_url,
        grading_link=grading_link,
    )


def bloc_statuses_for(enrolments) -> dict:
    """``{enrolment_id: {bloc_code: BlocStatus}}`` for a page's enrolments, in one set-based call."""
    return bloc_status_map([e.id for e in enrolments])


def released_grading(deliverable) -> dict:
    """The context of ``grading/_released.html`` for the signed-in viewer."""
    return services.released_context(deliverable, current_user)


def grading_link(deliverable) -> str | None:
    """The grading page of ``deliverable`` for the signed-in user when they may open it (their assessors,
    admins), else None: for a "Grade" link on the deliverable's page."""
    if not current_user.is_authenticated or not can(current_user, "view_grading", deliverable):
        return None
    return url_for("grading.page", deliverable_id=deliverable.id)


def annotation_viewer_url(deliverable_id: int, attachment) -> str | None:
    """The annotation viewer's page for a file, when the annotations feature is installed."""
    if "annotations.view" not in current_app.view_functions:
        return None
    return url_for("annotations.view", deliverable_id=deliverable_id, attachment_id=attachment.id)


def _load(deliverable_id: int, action: str) -> Deliverable:
    deliverable = db.session.get(Deliverable, deliverable_id, options=[
        selectinload(Deliverable.versions).selectinload(DeliverableVersion.files), selectinload(Deliverable.tags)])
    return require(action, deliverable)


def _version_arg() -> int | None:
    value = request.values.get("version", "")
    return int(value) if value.isdigit() else None


# --- the grading page ------------------------------------------------------------------------------

def _render_grading(deliverable: Deliverable, number: int | None, *, status: int = 200, form: GradingForm | None = None,
                    posted=None, error: GradingError | None = None):
    # The version asked for when it is submitted, else the latest submitted one (None: nothing to grade).
    version = next((v for v in deliverable.versions if v.number == number and v.submitted_at is not None),
                   deliverable.latest_submitted)
    competences = services.gradable_competences(deliverable)
    may_grade = can(current_user, "grade", deliverable)
    context = {"deliverable": deliverable, "enrolment": deliverable.enrolment, "version": version,
               "versions": services.submitted_versions(deliverable), "competences": competences,
               "may_grade": may_grade, "error": error, "stale": isinstance(error, StaleMarking)}
    if version is None:
        return render_template("grading/grade.html", **context), status
    gradings = services.grading_for(deliverable, current_user, may_view=True)
    vg = next(g for g in gradings if g.version.id == version.id)
    mine = next((m for m in vg.all_markings if m.assessor_id == current_user.id), None)
    saved = {g.competence_id: g for g in mine.grades} if mine is not None else {}
    if form is None:
        form = GradingForm(formdata=None, data={
            "mark": "" if mine is None or mine.mark is None else f"{mine.mark:.2f}".rstrip("0").rstrip("."),
            "feedback": mine.feedback if mine is not None else ""})
    form.lock_version.data = mine.lock_version if mine is not None else 0
    form.version.data = version.number
    rows = []
    for competence in competences:
        grade = saved.get(competence.id)
        if posted is not None:
            level = posted.get(f"level-{competence.id}") or None
            comment = posted.get(f"comment-{competence.id}", "")
        else:
            level, comment = (grade.level, grade.comment) if grade is not None else (None, "")
        rows.append({"competence": competence, "level": level, "comment": comment,
                     "saved": grade.level if grade is not None else None})
    annotations = services.annotations_with_markings(deliverable, current_user, gradings)
    context.update(
        form=form, rows=rows, mine=mine, vg=vg, others=[m for m in vg.markings if m.assessor_id != current_user.id],
        can_settle=vg.is_double and vg.is_blind_lifted and can_settle(current_user, vg.all_markings),
        agreed_form=AgreedGradeForm(formdata=None), annotations=[
            (a, m) for a, m in annotations if any(f.id == a.attachment_id for f in version.files)],
        editable=may_grade and (mine is None or mine.released_at is None),
    )
    return render_template("grading/grade.html", **context), status


@bp.route("/deliverables/<int:deliverable_id>/grading")
@login_required
def page(deliverable_id: int):
    deliverable = _load(deliverable_id, "view_grading")
    return _render_grading(deliverable, _version_arg())


@bp.route("/deliverables/<int:deliverable_id>/grading", methods=["POST"])
@login_required
def save(deliverable_id: int):
    deliverable = _load(deliverable_id, "grade")
    form = GradingForm()
    if not form.validate_on_submit():
        return _render_grading(deliverable, form.version.data, status=400, form=form, posted=request.form)
    competences = services.gradable_competences(deliverable)
    rows = [GradeInput(c, request.form.get(f"level-{c.id}") or None, request.form.get(f"comment-{c.id}", ""))
            for c in competences]
    release = request.form.get("action") == "release"
    try:
        version = services.gradable_version(deliverable, form.version.data)
        marking, _created = services.grade(
            version, current_user, rows, mark=form.mark.data, feedback=form.feedback.data, release=release,
            expected_lock_version=form.lock_version.data, actor=current_user)
    except GradingError as exc:
        db.session.rollback()
        return _render_grading(db.session.get(Deliverable, deliverable_id), form.version.data, status=exc.status,
                               form=form, posted=request.form, error=exc)
    db.session.commit()
    flash(_("Your marking has been released: the candidate can read it.") if release
          else _("Your marking has been saved. It stays a draft until you release it."), "success")
    return redirect(url_for(".page", deliverable_id=deliverable_id, version=marking.version.number))


@bp.route("/deliverables/<int:deliverable_id>/grading/agreed", methods=["POST"])
@login_required
def agree(deliverable_id: int):
    deliverable = _load(deliverable_id, "view_grading")
    form = AgreedGradeForm()
    target = url_for(".page", deliverable_id=deliverable_id, version=form.version.data)
    if not form.validate_on_submit():
        flash(_("The form expired; please submit it again."), "error")
        return redirect(target)
    try:
        version = services.gradable_version(deliverable, form.version.data)
        services.record_agreed_grade(version, form.competence.data or "", form.level.data or "",
                                     form.comment.data or "", actor=current_user)
    except GradingError as exc:
        db.session.rollback()
        if exc.status == 403:
            abort(403)
        flash(str(exc), "error")
        return redirect(target)
    db.session.commit()
    flash(_("The agreed grade has been recorded."), "success")
    return redirect(target)


@bp.route("/deliverables/<int:deliverable_id>/feedback.docx")
@login_required
def feedback(deliverable_id: int):
    deliverable = _load(deliverable_id, "view")
    data = feedback_document(deliverable, current_user)
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=f"feedback-{deliverable.id}.docx")


# --- the assessor's queue --------------------------------------------------------------------------

def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/assessor/queue")
@login_required
def queue():
    require_role("assessor")
    filters = QueueFilters(cohort=_int_arg("cohort"), assessment=_int_arg("assessment"),
                           status=request.args.get("status") or None, late=request.args.get("late") or None,
                           page=_int_arg("page") or 1)
    result = assessor_queue(current_user, filters)
    form = QueueFilterForm(request.args)
    counts = result.counts
    form.cohort.choices = [choice("", _("every cohort"))] + [
        choice(str(cid), f"{c['name']} ({c['n']})")
        for cid, c in sorted(counts["cohort"].items(), key=lambda kv: kv[1]["name"])]
    form.assessment.choices = [choice("", _("every assessment"))] + [
        choice(str(aid), f"{a['name']} ({a['n']})")
        for aid, a in sorted(counts["assessment"].items(), key=lambda kv: kv[1]["name"])]
    form.status.choices = [choice("", _("any status"))] + [
        choice(s, f"{queue_status_label(s)} ({n})") for s, n in counts["status"].items()]
    form.late.choices = [choice("", _("late or on time")),
                         choice("late", f"{_('late only')} ({counts['late']['late']})"),
                         choice("on_time", f"{_('on time only')} ({counts['late']['on_time']})")]
    return render_template("grading/queue.html", result=result, form=form)


# --- progress --------------------------------------------------------------------------------------

@bp.route("/enrolments/<int:enrolment_id>/progress")
@login_required
def progress(enrolment_id: int):
    enrolment = require("view", db.session.get(Enrolment, enrolment_id))
    statuses = bloc_statuses([enrolment.id]).get(enrolment.id, [])
    return render_template("grading/progress.html", enrolment=enrolment, statuses=statuses)


@bp.route("/assessor/progress")
@login_required
def assessor_progress():
    require_role("assessor")
    mine = (select(Enrolment.id).join(Assignment, Assignment.enrolment_id == Enrolment.id)
            .where(Assignment.assessor_id == current_user.id))
    total = db.session.scalar(select(func.count()).select_from(mine.subquery()))
    pages = max(1, -(-total // PROGRESS_PER_PAGE))
    page_number = min(max(1, _int_arg("page") or 1), pages)
    rows = db.session.execute(
        select(Enrolment.id, User.name, Enrolment.option, Cohort.name.label("cohort"))
        .join(Assignment, Assignment.enrolment_id == Enrolment.id).join(User, User.id == Enrolment.user_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Assignment.assessor_id == current_user.id)
        .order_by(User.name, Enrolment.id).limit(PROGRESS_PER_PAGE).offset((page_number - 1) * PROGRESS_PER_PAGE)
    ).all()
    statuses = bloc_statuses([r.id for r in rows])
    columns: list[str] = []
    for row in rows:
        for status in statuses.get(row.id, []):
            if status.bloc not in columns:
                columns.append(status.bloc)
    columns.sort()
    return render_template("grading/assessor_progress.html", rows=rows, statuses={
        eid: {s.bloc: s for s in items} for eid, items in statuses.items()}, columns=columns, total=total,
        page=page_number, pages=pages)
