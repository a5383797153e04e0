"""Grading in API v1: an assessor posts grades (and releases them); anyone who may see an enrolment
reads its bloc statuses.

``POST /deliverables/{id}/grades`` grades the latest submitted version (or ``version``): 201 when it
opens the caller's marking, 200 when it updates it. A client may send the ``lock_version`` it last
read (JSON field or ``If-Match`` header); a stale one is a 409 and nothing changes.
"""
from __future__ import annotations

from flask import abort, request

from ..api import api_user, bp, json_body
from ..enrolments.models import Enrolment
from ..evidence.models import Deliverable
from ..extensions import db
from ..policy import require
from . import services
from .models import Marking
from .services import UNSET, GradeInput, GradingError
from .status import bloc_statuses


def marking_json(marking: Marking) -> dict:
    return {
        "id": marking.id,
        "deliverable": marking.version.deliverable_id,
        "version": marking.version.number,
        "role": marking.role,
        "lock_version": marking.lock_version,
        "released": marking.released_at is not None,
        "released_at": marking.released_at.isoformat() if marking.released_at else None,
        "mark": float(marking.mark) if marking.mark is not None else None,
        "feedback": marking.feedback or "",
        "grades": [{"competence": g.competence.code, "level": g.level, "comment": g.comment} for g in marking.grades],
    }


def _optional_int(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        abort(422, description=f"'{field}' must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().strip('"').isdigit():
        return int(value.strip().strip('"'))
    abort(422, description=f"'{field}' must be an integer")


def _grade_rows(body: dict) -> list[GradeInput]:
    grades = body.get("grades", [])
    if not isinstance(grades, list):
        abort(422, description="'grades' must be an array of {competence, level, comment} objects")
    rows = []
    for index, item in enumerate(grades):
        if not isinstance(item, dict) or not isinstance(item.get("competence"), str):
            abort(422, description=f"grades[{index}] must be an object with a 'competence' code such as BC05.1")
        level, comment = item.get("level"), item.get("comment", "")
        if level is not None and not isinstance(level, str):
            abort(422, description=f"grades[{index}].level must be one of the levels of the scale, or null")
        if comment is not None and not isinstance(comment, str):
            abort(422, description=f"grades[{index}].comment must be a string")
        rows.append(GradeInput(item["competence"], level, comment or ""))
    return rows


@bp.post("/deliverables/<int:deliverable_id>/grades")
def grade_deliverable(deliverable_id: int):
    user = api_user()
    deliverable = require("grade", db.session.get(Deliverable, deliverable_id), user=user)
    body = json_body()
    rows = _grade_rows(body)
    release = body.get("release", False)
    if not isinstance(release, bool):
        abort(422, description="'release' must be true or false")
    feedback = body.get("feedback", UNSET)
    if feedback is not UNSET and feedback is not None and not isinstance(feedback, str):
        abort(422, description="'feedback' must be a string")
    mark = body.get("mark", UNSET)
    if mark is not UNSET and mark is not None and (isinstance(mark, bool) or not isinstance(mark, int | float | str)):
        abort(422, description="'mark' must be a number between 0 and 20, or null")
    lock_version = _optional_int(body.get("lock_version", request.headers.get("If-Match")), "lock_version")
    number = _optional_int(body.get("version"), "version")
    try:
        version = services.gradable_version(deliverable, number)
        marking, created = services.grade(version, user, rows, mark=mark, feedback=feedback, release=release,
                                          expected_lock_version=lock_version, actor=user)
    except GradingError as exc:
        db.session.rollback()
        abort(exc.status, description=str(exc))
    db.session.commit()
    return marking_json(marking), 201 if created else 200


@bp.get("/enrolments/<int:enrolment_id>/blocs")
def enrolment_blocs(enrolment_id: int):
    enrolment = require("view", db.session.get(Enrolment, enrolment_id), user=api_user())
    statuses = bloc_statuses([enrolment.id]).get(enrolment.id, [])
    return [{**s.as_json(), "title": s.title} for s in statuses]
