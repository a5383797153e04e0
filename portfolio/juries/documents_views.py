"""Pages of the jury's documents: a candidate's evidence bundle (read-only, and as a ZIP), a session's
documents (the minutes, and per candidate the bundle, attestation and certification decision), and a
candidate's own documents.

Each person reaches only what they are entitled to (``documents_permissions``); anything else is a 404.
The response helpers here are shared with the API (``documents_api``).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import audit
from ..enrolments.models import Enrolment
from ..enrolments.services import certification_status, required_bloc_codes
from ..evidence.types import type_label
from ..evidence.views import human_size
from ..extensions import db
from ..grading.labels import level_label, marking_role_label
from ..policy import can
from ..storage import content_disposition, get_storage
from ..vae.forms import POSITIONING_LABELS
from .bundle import build_bundle, bundle_filename, find_candidate, stream_zip, zip_entries
from .documents import (
    DOCX_MEDIA_TYPE,
    DocumentUnavailable,
    IssuedFile,
    attestation_for,
    certification_decision_for,
    issued_documents,
    ledger,
    minutes_for,
)
from .documents_permissions import seat_in
from .ledger import current_bloc_decisions
from .models import JuryCandidate, JuryConflict, JurySession

bp = Blueprint("jury_documents", __name__)


# --- shared with the API ------------------------------------------------------------------------------

def load_candidate(session_id: int, enrolment_id: int, user) -> JuryCandidate:
    """The session's candidate, or 404 when the enrolment is not in the session or the user may not read it."""
    candidate = find_candidate(session_id, enrolment_id)
    if candidate is None or not can(user, "read_bundle", candidate):
        abort(404)
    return candidate


def load_session(session_id: int, user) -> JurySession:
    session = db.session.get(JurySession, session_id)
    if session is None or not can(user, "read_minutes", session):
        abort(404)
    return session


def load_enrolment(enrolment_id: int, user, action: str) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not can(user, action, enrolment):
        abort(404)
    return enrolment


def zip_response(candidate: JuryCandidate, user) -> Response:
    """The bundle as a ZIP streamed on the fly; the download is written to the audit log."""
    bundle = build_bundle(candidate)
    entries = zip_entries(bundle)
    filename = bundle_filename(bundle)
    audit.record(user, "jury_bundle.download", "jury_candidate", candidate.id, after={
        "session": candidate.session_id, "enrolment": candidate.enrolment_id, "files": len(entries) - 1})
    db.session.commit()
    storage = get_storage()
    response = Response(stream_zip(entries, storage.open), mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Accel-Buffering"] = "no"  # let a reverse proxy pass the stream on as it comes
    return response


def docx_response(make) -> Response:
    """Issue (or reuse) a document with ``make()`` and send it; 409 when it cannot be issued now."""
    try:
        issued: IssuedFile = make()
    except DocumentUnavailable as exc:
        db.session.rollback()
        abort(409, description=str(exc))
    db.session.commit()
    response = Response(issued.read(), mimetype=DOCX_MEDIA_TYPE)
    response.headers["Content-Disposition"] = content_disposition(issued.filename, inline=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- the evidence bundle ------------------------------------------------------------------------------

@bp.route("/jury-sessions/<int:session_id>/candidates/<int:enrolment_id>/bundle")
@login_required
def bundle(session_id: int, enrolment_id: int):
    candidate = load_candidate(session_id, enrolment_id, current_user)
    view = build_bundle(candidate)
    return render_template("juries/bundle.html", bundle=view, session=view.session, enrolment=view.enrolment,
                           positioning_labels=POSITIONING_LABELS, level_label=level_label,
                           marking_role_label=marking_role_label, type_label=type_label, size_label=human_size,
                           can_read_documents=can(current_user, "read_minutes", view.session))


@bp.route("/jury-sessions/<int:session_id>/candidates/<int:enrolment_id>/bundle.zip")
@login_required
def bundle_zip(session_id: int, enrolment_id: int):
    return zip_response(load_candidate(session_id, enrolment_id, current_user), current_user)


# --- a session's documents ----------------------------------------------------------------------------

@bp.route("/jury-sessions/<int:session_id>/documents")
@login_required
def session_documents(session_id: int):
    session = load_session(session_id, current_user)
    candidates = list(session.candidates)
    finals = current_bloc_decisions([c.enrolment_id for c in candidates])
    seat = seat_in(current_user, session.id)
    conflicted = set(db.session.scalars(
        select(JuryConflict.enrolment_id).where(JuryConflict.member_id == seat.id))) if seat is not None else set()
    rows = []
    for candidate in sorted(candidates, key=lambda c: c.enrolment.candidate.name.casefold()):
        validated = {code for code, d in finals.get(candidate.enrolment_id, {}).items() if d == "validated"}
        required = required_bloc_codes(candidate.enrolment)
        rows.append({
            "candidate": candidate, "enrolment": candidate.enrolment, "validated": sorted(validated),
            "may_read_bundle": current_user.has_role("admin") or candidate.enrolment_id not in conflicted,
            "all_blocs": bool(required) and all(code in validated for code in required),
        })
    return render_template("juries/documents_session.html", session=session, rows=rows)


@bp.route("/jury-sessions/<int:session_id>/minutes.docx")
@login_required
def minutes(session_id: int):
    session = load_session(session_id, current_user)
    return docx_response(lambda: minutes_for(session, current_user))


# --- a candidate's documents --------------------------------------------------------------------------

@bp.route("/enrolments/<int:enrolment_id>/documents")
@login_required
def enrolment_documents(enrolment_id: int):
    enrolment = load_enrolment(enrolment_id, current_user, "read_attestation")
    status = certification_status(enrolment)
    return render_template(
        "juries/documents_enrolment.html", enrolment=enrolment, held=ledger(enrolment), status=status,
        issued=[d for d in issued_documents(enrolment) if d.kind in ("attestation", "certification_decision")],
        may_decision=can(current_user, "read_certification_decision", enrolment))


@bp.route("/enrolments/<int:enrolment_id>/attestation.docx")
@login_required
def attestation(enrolment_id: int):
    enrolment = load_enrolment(enrolment_id, current_user, "read_attestation")
    return docx_response(lambda: attestation_for(enrolment, current_user))


@bp.route("/enrolments/<int:enrolment_id>/certification-decision.docx")
@login_required
def certification_decision(enrolment_id: int):
    enrolment = load_enrolment(enrolment_id, current_user, "read_certification_decision")
    return docx_response(lambda: certification_decision_for(enrolment, current_user))
