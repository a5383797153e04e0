"""Administration pages: users, cohorts, enrolments, assignments and roster import."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from ..policy import require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def only_admins():
    require_role("admin")


@bp.route("/")
def index():
    return render_template("admin/index.html")
