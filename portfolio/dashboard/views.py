"""The home page: a dashboard for each of the user's roles."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..enrolments.models import Assignment, Cohort, Enrolment
from ..enrolments.permissions import visible_enrolments
from ..extensions import db
from ..referential.models import Bloc, Certification

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    context = {}
    if current_user.has_role("candidate"):
        context["my_enrolments"] = db.session.scalars(
            select(Enrolment).where(Enrolment.user_id == current_user.id)
            .options(selectinload(Enrolment.certification).selectinload(Certification.blocs)
                     .selectinload(Bloc.competences))
        ).all()
    if current_user.has_role("assessor"):
        context["assigned"] = db.session.scalars(
            select(Enrolment).join(Assignment).where(Assignment.assessor_id == current_user.id)
            .options(selectinload(Enrolment.candidate), selectinload(Enrolment.cohort),
                     selectinload(Enrolment.certification))
            .order_by(Enrolment.id)
        ).all()
    if current_user.has_role("jury"):
        context["jury_enrolments"] = db.session.scalars(
            visible_enrolments(current_user).where(Enrolment.user_id != current_user.id)
        ).all()
    if current_user.has_role("admin"):
        context["counts"] = {
            "users": db.session.scalar(select(func.count(User.id))),
            "candidates": db.session.scalar(select(func.count(func.distinct(Enrolment.user_id)))),
            "enrolments": db.session.scalar(select(func.count(Enrolment.id))),
            "cohorts": db.session.scalar(select(func.count(Cohort.id))),
            "certifications": db.session.scalar(
                select(func.count(Certification.id)).where(Certification.is_current.is_(True))
            ),
        }
    return render_template("dashboard/index.html", **context)
