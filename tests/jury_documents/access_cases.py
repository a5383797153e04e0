# ruff: noqa: F821
"""Access-matrix rows for the evidence bundle and the jury's documents.

The world gets a closed session (``jd_session``) presided by ``users["jury"]`` that examines a separate
candidate (``jd_enrolment``, BC05 validated), so that the owner's enrolment stays outside every session
and the foundation rows keep their expectations. Bundles and minutes: the session's members and admins;
attestations and certification decisions: the candidate, admins and the members of a session examining
them. Everyone else: 404.
"""
from datetime import UTC, date, datetime

MEMBERS = {"admin": 200, "jury": 200}
MEMBERS_409 = {"admin": 409, "jury": 409}
OWNER_409 = {"admin": 409, "owner": 409}


def extend_world(users, objects, ids):
    from portfolio.accounts.services import create_user
    from portfolio.enrolments.services import enrol
    from portfolio.extensions import db
    from portfolio.juries.models import BlocDecision, JuryCandidate, JuryMember, JurySession

    enrolment = objects["enrolment"]
    certification = enrolment.certification
    candidate = create_user("jd-candidate@dhec.example.org", "Matrix Candidate", ["candidate"], password=None)
    examined = enrol(candidate, certification, "training", option="scenario-realisation")
    db.session.flush()
    session = JurySession(certification_id=certification.id, route="training", date=date(2026, 6, 12),
                          place="Paris", status="closed", closed_at=datetime.now(UTC))
    db.session.add(session)
    db.session.flush()
    db.session.add_all([
        JuryMember(session_id=session.id, user_id=users["jury"].id, role="president", is_academic=True),
        JuryCandidate(session_id=session.id, enrolment_id=examined.id, attendance="present"),
        BlocDecision(session_id=session.id, enrolment_id=examined.id,
                     bloc_id=next(b.id for b in certification.blocs if b.code == "BC05"), decision="validated",
                     comment="Matrix"),
    ])
    db.session.flush()
    ids["jd_session"] = session.id
    ids["jd_enrolment"] = examined.id


CASES = {
    "jury_documents.bundle": [
        Case("GET", "/jury-sessions/{jd_session}/candidates/{jd_enrolment}/bundle", only(MEMBERS, 404)),
        Case("GET", "/jury-sessions/{jd_session}/candidates/{enrolment}/bundle", only({}, 404)),
    ],
    "jury_documents.bundle_zip": [
        Case("GET", "/jury-sessions/{jd_session}/candidates/{jd_enrolment}/bundle.zip", only(MEMBERS, 404)),
        Case("GET", "/jury-sessions/{jd_session}/candidates/{enrolment}/bundle.zip", only({}, 404)),
    ],
    "jury_documents.session_documents": [
        Case("GET", "/jury-sessions/{jd_session}/documents", only(MEMBERS, 404)),
        Case("GET", "/jury-sessions/999999/documents", only({}, 404)),
    ],
    "jury_documents.minutes": [
        Case("GET", "/jury-sessions/{jd_session}/minutes.docx", only(MEMBERS, 404)),
    ],
    "jury_documents.enrolment_documents": [
        Case("GET", "/enrolments/{jd_enrolment}/documents", only(MEMBERS, 404)),
        Case("GET", "/enrolments/{enrolment}/documents", only({"admin": 200, "owner": 200}, 404)),
    ],
    "jury_documents.attestation": [
        Case("GET", "/enrolments/{jd_enrolment}/attestation.docx", only(MEMBERS, 404)),
        Case("GET", "/enrolments/{enrolment}/attestation.docx", only(OWNER_409, 404)),
    ],
    "jury_documents.certification_decision": [
        Case("GET", "/enrolments/{jd_enrolment}/certification-decision.docx", only(MEMBERS_409, 404)),
        Case("GET", "/enrolments/{enrolment}/certification-decision.docx", only(OWNER_409, 404)),
    ],
    "api.jury_candidate_bundle": [
        Case("GET", "/api/v1/jury-sessions/{jd_session}/candidates/{jd_enrolment}/bundle",
             only(MEMBERS, 404, anonymous=UNAUTH)),
        Case("GET", "/api/v1/jury-sessions/{jd_session}/candidates/{enrolment}/bundle",
             only({}, 404, anonymous=UNAUTH)),
    ],
    "api.jury_session_minutes": [
        Case("GET", "/api/v1/jury-sessions/{jd_session}/minutes", only(MEMBERS, 404, anonymous=UNAUTH)),
    ],
    "api.enrolment_attestation": [
        Case("GET", "/api/v1/enrolments/{jd_enrolment}/attestation", only(MEMBERS, 404, anonymous=UNAUTH)),
        Case("GET", "/api/v1/enrolments/{enrolment}/attestation", only(OWNER_409, 404, anonymous=UNAUTH)),
    ],
    "api.enrolment_certification_decision": [
        Case("GET", "/api/v1/enrolments/{jd_enrolment}/certification-decision",
             only(MEMBERS_409, 404, anonymous=UNAUTH)),
        Case("GET", "/api/v1/enrolments/{enrolment}/certification-decision",
             only(OWNER_409, 404, anonymous=UNAUTH)),
    ],
}
