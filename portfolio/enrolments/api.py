"""GET /api/v1/enrolments/{id}."""
from __future__ import annotations

from ..api import api_user, bp
from ..extensions import db
from ..policy import require
from .models import Enrolment
from .services import certification_status


def enrolment_json(enrolment: Enrolment) -> dict:
    return {
        "id": enrolment.id,
        "candidate": {"id": enrolment.candidate.id, "name": enrolment.candidate.name,
                      "email": enrolment.candidate.email},
        "certification": enrolment.certification.code,
        "route": enrolment.route,
        "option": enrolment.option,
        "cohort": enrolment.cohort.name if enrolment.cohort else None,
        "certification_status": certification_status(enrolment),
    }


@bp.get("/enrolments/<int:enrolment_id>")
def get_enrolment(enrolment_id: int):
    enrolment = require("view", db.session.get(Enrolment, enrolment_id), user=api_user())
    return enrolment_json(enrolment)
