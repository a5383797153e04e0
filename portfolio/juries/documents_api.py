"""API v1: a candidate's evidence bundle (ZIP), a session's minutes, a candidate's attestation and
certification decision (DOCX). 404 for what the token's user may not see; 409 for a document that
cannot be issued yet (nothing validated, certification not obtained)."""
from __future__ import annotations

from ..api import api_user, bp
from .documents import attestation_for, certification_decision_for, minutes_for
from .documents_views import docx_response, load_candidate, load_enrolment, load_session, zip_response


@bp.get("/jury-sessions/<int:session_id>/candidates/<int:enrolment_id>/bundle")
def jury_candidate_bundle(session_id: int, enrolment_id: int):
    user = api_user()
    return zip_response(load_candidate(session_id, enrolment_id, user), user)


@bp.get("/jury-sessions/<int:session_id>/minutes")
def jury_session_minutes(session_id: int):
    user = api_user()
    session = load_session(session_id, user)
    return docx_response(lambda: minutes_for(session, user))


@bp.get("/enrolments/<int:enrolment_id>/attestation")
def enrolment_attestation(enrolment_id: int):
    user = api_user()
    enrolment = load_enrolment(enrolment_id, user, "read_attestation")
    return docx_response(lambda: attestation_for(enrolment, user))


@bp.get("/enrolments/<int:enrolment_id>/certification-decision")
def enrolment_certification_decision(enrolment_id: int):
    user = api_user()
    enrolment = load_enrolment(enrolment_id, user, "read_certification_decision")
    return docx_response(lambda: certification_decision_for(enrolment, user))
