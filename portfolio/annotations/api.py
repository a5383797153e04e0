"""Annotations in API v1, as W3C Web Annotation JSON.

``GET``/``POST /deliverables/{id}/annotations``; ``GET``/``PATCH``/``DELETE /annotations/{id}`` (the
annotation's ``id`` is this URL). A POST names the file by its content URL (``target.source``,
``/api/v1/files/{id}/content``) and the position by a W3C selector (``target.selector``).
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

from flask import abort, request
from flask_babel import gettext as _

from ..api import api_user, bp, json_body, parse_id
from ..evidence.models import Deliverable
from ..extensions import db
from ..files.models import Attachment
from ..policy import require
from . import services
from .exports import annotation_json
from .models import Annotation
from .services import AnnotationError

_SOURCE = re.compile(r"/api/v1/files/(\d+)/content/?")


def _fail(exc: AnnotationError):
    db.session.rollback()
    abort(exc.status, description=str(exc))


def _deliverable(deliverable_id: int, action: str = "view") -> Deliverable:
    return require(action, db.session.get(Deliverable, deliverable_id), user=api_user())


def _source_attachment(target) -> Attachment | None:
    """The attachment named by ``target.source``; 422 when the source is not a file content URL."""
    source = target.get("source") if isinstance(target, dict) else None
    if not isinstance(source, str):
        abort(422, description="'target.source' must be the file's content URL (/api/v1/files/{id}/content).")
    match = _SOURCE.fullmatch(urlparse(source.strip()).path)
    if match is None:
        abort(422, description="'target.source' must be the file's content URL (/api/v1/files/{id}/content).")
    return db.session.get(Attachment, int(match.group(1)))


def _body_text(payload: dict):
    body = payload.get("body", payload.get("bodyValue"))
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if isinstance(body, dict):
        body = body.get("value")
    return body


def _expected_version(payload: dict) -> int | None:
    raw = request.headers.get("If-Match", "").strip()
    raw = (raw[2:] if raw.startswith("W/") else raw).strip('"') or payload.get("lock_version")
    if raw in (None, ""):
        return None
    return parse_id(raw, "lock_version")


@bp.get("/deliverables/<int:deliverable_id>/annotations")
def list_annotations(deliverable_id: int):
    user = api_user()
    deliverable = _deliverable(deliverable_id)
    attachment = None
    if request.args.get("file"):
        attachment = services.deliverable_attachment(deliverable, parse_id(request.args["file"], "file"))
        if attachment is None:
            abort(422, description="'file' is not one of this deliverable's files.")
    return [annotation_json(a) for a in services.visible_annotations(user, deliverable, attachment)]


@bp.post("/deliverables/<int:deliverable_id>/annotations")
def create_annotation(deliverable_id: int):
    user = api_user()
    deliverable = _deliverable(deliverable_id, "annotate")
    payload = json_body()
    target = payload.get("target")
    if isinstance(target, list) and len(target) == 1:
        target = target[0]
    attachment = _source_attachment(target)
    if attachment is None or services.deliverable_attachment(deliverable, attachment.id) is None:
        abort(422, description=_("This file is not one of this deliverable's files."))
    competence = payload.get("competence")
    if competence is not None and not isinstance(competence, str):
        abort(422, description="'competence' must be a competence code such as BC05.1.")
    try:
        annotation = services.create_annotation(
            deliverable, attachment, author=user, selector=target.get("selector"), body=_body_text(payload),
            competence=competence, motivation=payload.get("motivation"))
    except AnnotationError as exc:
        _fail(exc)
    db.session.commit()
    return annotation_json(annotation), 201


def _annotation(annotation_id: int, action: str = "view") -> Annotation:
    return require(action, db.session.get(Annotation, annotation_id), user=api_user())


@bp.get("/annotations/<int:annotation_id>")
def get_annotation(annotation_id: int):
    return annotation_json(_annotation(annotation_id))


@bp.patch("/annotations/<int:annotation_id>")
def update_annotation(annotation_id: int):
    user = api_user()
    annotation = _annotation(annotation_id, "edit")
    payload = json_body()
    changes = {}
    if "body" in payload or "bodyValue" in payload:
        changes["body"] = _body_text(payload)
    if "competence" in payload:
        if payload["competence"] is not None and not isinstance(payload["competence"], str):
            abort(422, description="'competence' must be a competence code such as BC05.1, or null.")
        changes["competence"] = payload["competence"]
    if "motivation" in payload:
        changes["motivation"] = payload["motivation"]
    try:
        services.update_annotation(annotation, actor=user, expected_version=_expected_version(payload), **changes)
    except AnnotationError as exc:
        _fail(exc)
    db.session.commit()
    return annotation_json(annotation)


@bp.delete("/annotations/<int:annotation_id>")
def delete_annotation(annotation_id: int):
    user = api_user()
    annotation = _annotation(annotation_id, "edit")
    payload = request.get_json(silent=True) if request.get_data(cache=True) else None
    try:
        services.delete_annotation(annotation, actor=user,
                                   expected_version=_expected_version(payload if isinstance(payload, dict) else {}))
    except AnnotationError as exc:
        _fail(exc)
    db.session.commit()
    return "", 204
