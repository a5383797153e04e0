"""Administration of cohorts: list, create, a cohort's page with its enrolments and the roster import."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..enrolments.models import Assignment, Cohort, Enrolment
from ..enrolments.services import EnrolmentError
from ..extensions import db
from ..referential.models import Certification
from .forms import CohortForm, RosterForm
from .roster import MAX_ROSTER_BYTES, RosterError, RosterProblem, import_roster, parse_roster
from .services import create_cohort, paginate, send_password_setup_mail
from .views import bp, page_number


def current_certifications() -> list[Certification]:
    return list(db.session.scalars(
        select(Certification).where(Certification.is_current.is_(True)).order_by(Certification.code)
    ))


def certification_choices() -> list[tuple[int, str]]:
    return [(c.id, f"{c.code} · {c.title}") for c in current_certifications()]


@bp.route("/cohorts")
def cohorts():
    query = select(Cohort).options(selectinload(Cohort.certification)).order_by(Cohort.name)
    page = paginate(query, page_number())
    ids = [c.id for c in page.items]
    sizes = dict(db.session.execute(
        select(Enrolment.cohort_id, func.count(Enrolment.id)).where(Enrolment.cohort_id.in_(ids))
        .group_by(Enrolment.cohort_id)
    ).all()) if ids else {}
    return render_template("admin/cohorts.html", page=page, sizes=sizes)


@bp.route("/cohorts/new", methods=["GET", "POST"])
def cohort_create():
    form = CohortForm()
    form.certification.choices = certification_choices()
    if form.validate_on_submit():
        certification = db.session.get(Certification, form.certification.data)
        try:
            cohort = create_cohort(form.name.data, certification, (form.academic_year.data or "").strip() or None,
                                   actor=current_user)
        except EnrolmentError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The cohort %(name)s has been created.", name=cohort.name), "success")
            return redirect(url_for(".cohort", cohort_id=cohort.id))
    return render_template("admin/cohort_create.html", form=form)


def _load_cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id, options=[selectinload(Cohort.certification)])
    if cohort is None:
        abort(404)
    return cohort


def _render_cohort(cohort: Cohort, form: RosterForm, problems: list[RosterProblem] = ()):
    query = (
        select(Enrolment).where(Enrolment.cohort_id == cohort.id)
        .join(Enrolment.candidate).order_by(User.name, Enrolment.id)
        .options(selectinload(Enrolment.candidate),
                 selectinload(Enrolment.assignments).selectinload(Assignment.assessor))
    )
    page = paginate(query, page_number(), per_page=100)
    return render_template("admin/cohort.html", cohort=cohort, page=page, form=form, problems=problems)


@bp.route("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int):
    return _render_cohort(_load_cohort(cohort_id), RosterForm())


@bp.route("/cohorts/<int:cohort_id>/roster", methods=["POST"])
def cohort_roster(cohort_id: int):
    cohort = _load_cohort(cohort_id)
    form = RosterForm()
    problems: list[RosterProblem] = []
    if form.validate_on_submit():
        data = form.file.data.stream.read(MAX_ROSTER_BYTES + 1)
        try:
            rows = parse_roster(data, cohort.certification)
            summary = import_roster(cohort, rows, actor=current_user)
        except RosterError as exc:
            db.session.rollback()
            cohort = _load_cohort(cohort_id)
            problems = exc.problems
        else:
            db.session.commit()
            for user in summary.new_users:
                send_password_setup_mail(user)
            flash(_("Roster imported: %(rows)d candidates (new accounts: %(users)d; new enrolments: %(created)d; "
                    "updated enrolments: %(updated)d).", rows=len(rows), users=summary.users_created,
                    created=summary.enrolments_created, updated=summary.enrolments_updated), "success")
            return redirect(url_for(".cohort", cohort_id=cohort.id))
    return _render_cohort(cohort, form, problems)
