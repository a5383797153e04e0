"""Deliverables in API v1: list and create (multipart), read one, post a new version, submit.

Optimistic locking: a client may send the ``lock_version`` it last read (a form field, a JSON field
or an ``If-Match`` header); a stale one is a 409 and nothing changes.
"""
from __future__ import annotations

from flask import abort, request, url_for

from ..api import api_user, bp, parse_id
from ..assessments.models import Assessment
from ..enrolments.models import Enrolment
from ..extensions import db
from ..files.services import UploadError
from ..policy import require
from . import services
from .models import Deliverable
from .services import EvidenceError


def file_json(attachment) -> dict:
    return {"id": attachment.id, "name": attachment.name, "size": attachment.size, "sha256": attachment.sha256,
            "media_type": attachment.media_type}


def _time(value):
    return value.isoformat() if value else None


def version_json(version) -> dict:
    return {"number": version.number, "created_at": _time(version.created_at),
            "submitted_at": _time(version.submitted_at), "due_at": _time(version.due_at),
            "is_late": version.is_late, "files": [file_json(a) for a in version.files]}


def released_grades(deliverable: Deliverable, user) -> list[dict]:
    """The grades ``user`` may see (a candidate: released ones only)."""
    from ..grading.services import grades_json

    return grades_json(deliverable, user)


def deliverable_summary(deliverable: Deliverable) -> dict:
    latest = deliverable.latest
    submitted = deliverable.latest_submitted
    return {
        "id": deliverable.id, "enrolment": deliverable.enrolment_id, "assessment": deliverable.assessment_id,
        "title": deliverable.title, "type": deliverable.type, "status": deliverable.status,
        "version": latest.number if latest else 0, "lock_version": deliverable.lock_version,
        "created_at": _time(deliverable.created_at),
        "submitted_at": _time(submitted.submitted_at if submitted else None),
        "is_late": bool(submitted and submitted.is_late),
    }


def deliverable_json(deliverable: Deliverable, user) -> dict:
    return {
        **deliverable_summary(deliverable),
        "description": deliverable.description,
        "versions": [version_json(v) for v in deliverable.versions],
        "tags": [{"competence": t.competence.code, "justification": t.justification} for t in deliverable.tags],
        "grades": released_grades(deliverable, user),
    }


def draft_json(deliverable: Deliverable) -> dict:
    latest = deliverable.latest
    return {"id": deliverable.id, "version": latest.number, "lock_version": deliverable.lock_version,
            "status": deliverable.status, "files": [file_json(a) for a in latest.files],
            "tags": [{"competence": t.competence.code, "justification": t.justification} for t in deliverable.tags]}


def _fields() -> dict:
    """The request's fields: multipart or url-encoded form (lists kept), or a JSON object."""
    if request.is_json:
        if not request.get_data(cache=True):
            return {}
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, description="The request body must be a JSON object.")
        return body
    return {key: (values if len(values) > 1 else values[0]) for key, values in request.form.lists()}


def _list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _expected_version(fields: dict) -> int | None:
    raw = request.headers.get("If-Match", "").strip()
    raw = (raw[2:] if raw.startswith("W/") else raw).strip('"') or fields.get("lock_version")
    if raw in (None, ""):
        return None
    return parse_id(raw, "lock_version")


def _uploads() -> list:
    return [(f.stream, f.filename) for f in request.files.getlist("file") if f and f.filename]


def _fail(exc: Exception):
    db.session.rollback()
    abort(getattr(exc, "status", 422), description=str(exc))


def _load(deliverable_id: int, action: str = "view") -> Deliverable:
    return require(action, db.session.get(Deliverable, deliverable_id), user=api_user())


@bp.get("/enrolments/<int:enrolment_id>/deliverables")
def list_deliverables(enrolment_id: int):
    enrolment = require("view", db.session.get(Enrolment, enrolment_id), user=api_user())
    return [deliverable_summary(d) for d in services.enrolment_deliverables(enrolment)]


@bp.post("/enrolments/<int:enrolment_id>/deliverables")
def create_deliverable(enrolment_id: int):
    user = api_user()
    enrolment = require("add_evidence", db.session.get(Enrolment, enrolment_id), user=user)
    fields = _fields()
    assessment = None
    if fields.get("assessment") not in (None, ""):
        assessment = db.session.get(Assessment, parse_id(fields["assessment"], "assessment"))
        if assessment is None:
            abort(422, description="No such assessment.")
    for name in ("title", "type"):
        if not isinstance(fields.get(name), str) or not fields[name].strip():
            abort(422, description=f"'{name}' is required.")
    codes = [str(c) for c in _list(fields.get("competences"))]
    tags = [(code, str(fields.get(f"justification:{code}", "") or "")) for code in codes]
    try:
        deliverable = services.create_deliverable(
            enrolment, title=fields["title"], type_code=fields["type"].strip(), assessment=assessment,
            description=fields.get("description") if isinstance(fields.get("description"), str) else None,
            actor=user)
        if tags:
            services.set_tags(deliverable, tags, actor=user)
        files = _uploads()
        if files:
            services.add_files(deliverable, files, actor=user)
    except (EvidenceError, UploadError) as exc:
        _fail(exc)
    db.session.commit()
    return draft_json(deliverable), 201, {"Location": url_for("api.get_deliverable", deliverable_id=deliverable.id)}


@bp.get("/deliverables/<int:deliverable_id>")
def get_deliverable(deliverable_id: int):
    user = api_user()
    deliverable = _load(deliverable_id)
    return deliverable_json(deliverable, user), 200, {"ETag": f'W/"{deliverable.lock_version}"'}


@bp.post("/deliverables/<int:deliverable_id>/versions")
def create_version(deliverable_id: int):
    user = api_user()
    deliverable = _load(deliverable_id, "edit")
    fields = _fields()
    try:
        services.open_new_version(deliverable, actor=user, expected_version=_expected_version(fields),
                                  note=fields.get("note") if isinstance(fields.get("note"), str) else None)
        files = _uploads()
        if files:
            services.add_files(deliverable, files, actor=user)
    except (EvidenceError, UploadError) as exc:
        _fail(exc)
    db.session.commit()
    return draft_json(deliverable), 201


@bp.post("/deliverables/<int:deliverable_id>/submit")
def submit_deliverable(deliverable_id: int):
    user = api_user()
    deliverable = _load(deliverable_id, "edit")
    fields = _fields()
    try:
        services.submit(deliverable, actor=user, expected_version=_expected_version(fields))
    except EvidenceError as exc:
        _fail(exc)
    db.session.commit()
    return deliverable_json(deliverable, user)

