"""GET /api/v1/me."""
from __future__ import annotations

from sqlalchemy import select

from ..api import api_user, bp
from ..enrolments.models import Enrolment
from ..extensions import db


@bp.get("/me")
def me():
    user = api_user()
    enrolments = db.session.scalars(
        select(Enrolment.id).where(Enrolment.user_id == user.id).order_by(Enrolment.id)
    ).all()
    return {"id": user.id, "email": user.email, "name": user.name, "roles": user.roles,
            "enrolments": list(enrolments)}
