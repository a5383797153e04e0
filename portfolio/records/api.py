"""GET and POST /api/v1/enrolments/{id}/internships and /api/v1/enrolments/{id}/language-certificates."""
from __future__ import annotations

from datetime import date

from flask import abort

from ..api import api_user, bp, json_body
from ..enrolments.models import Enrolment
from ..extensions import db
from ..policy import require
from . import services
from .links import attachment_json
from .models import Internship, LanguageCertificate


def internship_json(row: Internship) -> dict:
    tutor = None
    if row.tutor_name or row.tutor_email:
        tutor = {"name": row.tutor_name, "email": row.tutor_email}
    return {
        "id": row.id,
        "organisation": row.organisation,
        "tutor": tutor,
        "start": row.start_date.isoformat(),
        "end": row.end_date.isoformat(),
        "days": row.days,
        "weeks": round(row.weeks, 2),
        "minimum_weeks": row.enrolment.certification.internship_min_weeks,
        "meets_minimum": services.meets_minimum(row),
        "files": [attachment_json(a) for a in row.agreement],
    }


def certificate_json(row: LanguageCertificate) -> dict:
    return {
        "id": row.id,
        "framework": row.framework,
        "language": row.language,
        "level": row.level,
        "test": row.test,
        "date": row.date.isoformat(),
        "files": [attachment_json(a) for a in row.proof],
    }


def _enrolment(enrolment_id: int, action: str) -> Enrolment:
    return require(action, db.session.get(Enrolment, enrolment_id), user=api_user())


def _iso_date(body: dict, field: str) -> date:
    value = body.get(field)
    if value is None:
        abort(422, description=f"'{field}' is required (an ISO date, YYYY-MM-DD)")
    if not isinstance(value, str):
        abort(422, description=f"'{field}' must be an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        abort(422, description=f"'{field}' is not a valid ISO date (YYYY-MM-DD): {value[:40]!r}")


def _tutor(body: dict) -> tuple[str | None, str | None]:
    tutor = body.get("tutor")
    if tutor is None:
        return body.get("tutor_name"), body.get("tutor_email")
    if isinstance(tutor, str):
        return tutor, None
    if isinstance(tutor, dict):
        return tutor.get("name"), tutor.get("email")
    abort(422, description="'tutor' must be a name or an object with 'name' and 'email'")


@bp.get("/enrolments/<int:enrolment_id>/internships")
def list_internships(enrolment_id: int):
    enrolment = _enrolment(enrolment_id, "view")
    return [internship_json(row) for row in services.internships_of(enrolment)]


@bp.post("/enrolments/<int:enrolment_id>/internships")
def create_internship(enrolment_id: int):
    enrolment = _enrolment(enrolment_id, "edit_records")
    body = json_body()
    start, end = _iso_date(body, "start"), _iso_date(body, "end")
    tutor_name, tutor_email = _tutor(body)
    try:
        row = services.record_internship(enrolment, organisation=body.get("organisation"), start=start, end=end,
                                         tutor_name=tutor_name, tutor_email=tutor_email, actor=api_user())
    except services.RecordError as exc:
        db.session.rollback()
        abort(422, description=str(exc))
    db.session.commit()
    return internship_json(row), 201


@bp.get("/enrolments/<int:enrolment_id>/language-certificates")
def list_language_certificates(enrolment_id: int):
    enrolment = _enrolment(enrolment_id, "view")
    return [certificate_json(row) for row in services.certificates_of(enrolment)]


@bp.post("/enrolments/<int:enrolment_id>/language-certificates")
def create_language_certificate(enrolment_id: int):
    enrolment = _enrolment(enrolment_id, "edit_records")
    body = json_body()
    on = _iso_date(body, "date")
    try:
        row = services.record_language_certificate(
            enrolment, framework=body.get("framework", "CEFR"), level=body.get("level"), test=body.get("test"), on=on,
            language=body.get("language", "en"), actor=api_user())
    except services.RecordError as exc:
        db.session.rollback()
        abort(422, description=str(exc))
    db.session.commit()
    return certificate_json(row), 201
