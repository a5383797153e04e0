"""Administration of enrolments: list, create, edit, and the assessors assigned to each."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User, UserRole
from ..accounts.services import get_user_by_email
from ..enrolments.models import ENROLMENT_ROUTES, OPTIONS, Assignment, Cohort, Enrolment
from ..enrolments.services import EnrolmentError, assign, check_option, check_route, enrol, unassign
from ..extensions import db
from ..labels import option_label
from ..referential.models import Certification
from .forms import AssignForm, ConfirmForm, EnrolmentCreateForm, EnrolmentEditForm
from .services import paginate, update_enrolment
from .views import bp, page_number
from .views_cohorts import certification_choices

MAX_CHOICES = 500


def _cohorts() -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).order_by(Cohort.name).limit(MAX_CHOICES)))


def _set_choices(form) -> None:
    form.option.choices = [("", _("not chosen yet"))] + [(o, option_label(o)) for o in OPTIONS]
    form.cohort.choices = [("", _("no cohort"))] + [(str(c.id), c.name) for c in _cohorts()]


def _chosen_cohort(form) -> Cohort | None:
    """The cohort the form names, or None; an unknown id is a form error."""
    if not form.cohort.data:
        return None
    cohort = db.session.get(Cohort, int(form.cohort.data)) if form.cohort.data.isdigit() else None
    if cohort is None:
        form.cohort.errors.append(_("Not a valid choice."))
    return cohort


def _check(form, certification: Certification, cohort: Cohort | None) -> bool:
    """Put the enrolments service's refusals on the fields; True when there is none."""
    ok = True
    try:
        check_route(certification, form.route.data)
    except EnrolmentError as exc:
        form.route.errors.append(str(exc))
        ok = False
    try:
        check_option(certification, form.option.data or None)
    except EnrolmentError as exc:
        form.option.errors.append(str(exc))
        ok = False
    if cohort is not None and cohort.certification_id != certification.id:
        form.cohort.errors.append(_("This cohort is for another certification."))
        ok = False
    return ok


@bp.route("/enrolments")
def enrolments():
    q = request.args.get("q", "").strip()[:200]
    route = request.args.get("route", "")
    cohort_id = request.args.get("cohort", type=int)
    query = (
        select(Enrolment).join(Enrolment.candidate).order_by(User.name, Enrolment.id)
        .options(selectinload(Enrolment.candidate), selectinload(Enrolment.cohort),
                 selectinload(Enrolment.certification), selectinload(Enrolment.assignments))
    )
    if q:
        query = query.where(or_(User.name.icontains(q, autoescape=True), User.email.icontains(q, autoescape=True)))
    if route in ENROLMENT_ROUTES:
        query = query.where(Enrolment.route == route)
    else:
        route = ""
    if cohort_id:
        query = query.where(Enrolment.cohort_id == cohort_id)
    page = paginate(query, page_number())
    return render_template("admin/enrolments.html", page=page, q=q, route=route, cohort_id=cohort_id,
                           cohorts=_cohorts(), routes=ENROLMENT_ROUTES)


@bp.route("/enrolments/new", methods=["GET", "POST"])
def enrolment_create():
    form = EnrolmentCreateForm()
    form.certification.choices = certification_choices()
    _set_choices(form)
    if request.method == "GET" and request.args.get("cohort", type=int):
        form.cohort.data = str(request.args.get("cohort", type=int))
    if form.validate_on_submit():
        certification = db.session.get(Certification, form.certification.data)
        candidate = get_user_by_email(form.email.data)
        cohort = _chosen_cohort(form)
        if candidate is None:
            form.email.errors.append(_("No user has this email address. Create the user first."))
        if _check(form, certification, cohort) and candidate is not None and not form.cohort.errors:
            existing = db.session.scalar(select(Enrolment.id).where(
                Enrolment.user_id == candidate.id, Enrolment.certification_id == certification.id))
            try:
                enrolment = enrol(candidate, certification, form.route.data, option=form.option.data or None,
                                  cohort=cohort, actor=current_user)
            except EnrolmentError as exc:
                db.session.rollback()
                form.email.errors.append(str(exc))
            else:
                db.session.commit()
                if existing is None:
                    flash(_("%(name)s has been enrolled.", name=candidate.name), "success")
                else:
                    flash(_("%(name)s was already enrolled in this certification; the enrolment has been updated.",
                            name=candidate.name), "info")
                return redirect(url_for(".enrolment", enrolment_id=enrolment.id))
    return render_template("admin/enrolment_create.html", form=form)


def _load_enrolment(enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id, options=[
        selectinload(Enrolment.candidate), selectinload(Enrolment.certification), selectinload(Enrolment.cohort),
        selectinload(Enrolment.assignments).selectinload(Assignment.assessor),
    ])
    if enrolment is None:
        abort(404)
    return enrolment


def _assign_form(enrolment: Enrolment) -> AssignForm:
    form = AssignForm()
    taken = [a.assessor_id for a in enrolment.assignments] + [enrolment.user_id]
    assessors = db.session.scalars(
        select(User).where(User.role_rows.any(UserRole.role == "assessor"), User.is_active_account.is_(True),
                           User.id.not_in(taken))
        .order_by(User.name, User.id).limit(MAX_CHOICES)
    )
    form.assessor.choices = [(u.id, f"{u.name} ({u.email})") for u in assessors]
    return form


def _render_enrolment(enrolment: Enrolment, edit_form: EnrolmentEditForm, assign_form: AssignForm):
    return render_template("admin/enrolment.html", enrolment=enrolment, form=edit_form, assign_form=assign_form,
                           remove_form=ConfirmForm())


@bp.route("/enrolments/<int:enrolment_id>", methods=["GET", "POST"])
def enrolment(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    if request.method == "POST":
        form = EnrolmentEditForm()
    else:
        form = EnrolmentEditForm(data={"route": enrolment.route, "option": enrolment.option or "",
                                       "cohort": str(enrolment.cohort_id or "")})
    _set_choices(form)
    if form.validate_on_submit():
        cohort = _chosen_cohort(form)
        if _check(form, enrolment.certification, cohort) and not form.cohort.errors:
            update_enrolment(enrolment, form.route.data, form.option.data or None, cohort, actor=current_user)
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for(".enrolment", enrolment_id=enrolment.id))
    return _render_enrolment(enrolment, form, _assign_form(enrolment))


@bp.route("/enrolments/<int:enrolment_id>/assessors", methods=["POST"])
def enrolment_assign(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    form = _assign_form(enrolment)
    if form.validate_on_submit():
        assessor = db.session.get(User, form.assessor.data)
        try:
            assign(assessor, enrolment, actor=current_user)
        except EnrolmentError as exc:
            db.session.rollback()
            enrolment = _load_enrolment(enrolment_id)
            form.assessor.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s is now an assessor of this enrolment.", name=assessor.name), "success")
            return redirect(url_for(".enrolment", enrolment_id=enrolment.id))
    edit_form = EnrolmentEditForm(formdata=None, data={
        "route": enrolment.route, "option": enrolment.option or "", "cohort": str(enrolment.cohort_id or "")})
    _set_choices(edit_form)
    return _render_enrolment(enrolment, edit_form, form)


@bp.route("/enrolments/<int:enrolment_id>/assessors/<int:assignment_id>/remove", methods=["POST"])
def enrolment_unassign(enrolment_id: int, assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.enrolment_id != enrolment_id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = assignment.assessor.name
    unassign(assignment, actor=current_user)
    db.session.commit()
    flash(_("%(name)s is no longer an assessor of this enrolment.", name=name), "success")
    return redirect(url_for(".enrolment", enrolment_id=enrolment_id))
