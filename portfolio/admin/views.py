"""Administration pages: users, cohorts, enrolments, assignments and roster import.

The blueprint is defined here with its guard (admins only) and the index; the sections register their
routes on it from ``views_users``, ``views_cohorts`` and ``views_enrolments``.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import func, select

from ..accounts.models import User, UserRole
from ..enrolments.models import Assignment, Cohort, Enrolment
from ..extensions import db
from ..policy import require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def only_admins():
    require_role("admin")


@bp.context_processor
def paging_helpers():
    def page_url(number: int) -> str:
        args = request.args.to_dict()
        args["page"] = number
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    return {"page_url": page_url}


def page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.route("/")
def index():
    def count(query):
        return db.session.scalar(query) or 0

    counts = {
        "users": count(select(func.count(User.id))),
        "assessors": count(select(func.count(UserRole.user_id)).where(UserRole.role == "assessor")),
        "cohorts": count(select(func.count(Cohort.id))),
        "enrolments": count(select(func.count(Enrolment.id))),
        "unassigned": count(select(func.count(Enrolment.id)).where(~Enrolment.assignments.any())),
        "assignments": count(select(func.count(Assignment.id))),
    }
    return render_template("admin/index.html", counts=counts)


from . import views_cohorts, views_enrolments, views_users  # noqa: E402,F401  (routes on bp)
