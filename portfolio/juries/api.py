"""The jury endpoints of API v1: sessions, their composition, opening, decisions and closing.

Admins create, compose and open sessions; members read them; the president (or the secretary)
records decisions; only the president closes. A change to a closed session, or a composition that
breaks a rule, is a 409 (the problem names the rule).
"""
from __future__ import annotations

import smtplib
from datetime import date, datetime

from flask import abort, current_app
from sqlalchemy import select

from ..accounts.services import get_user_by_email
from ..api import api_user, bp, json_body, parse_id
from ..enrolments.models import Enrolment
from ..errors import problem
from ..extensions import db
from ..policy import require, require_role
from ..referential.services import current_certification
from . import ledger, services
from .composition import CompositionReport, check_composition
from .convocations import send_convocations
from .models import BlocDecision, JuryCandidate, JuryMember, JurySession
from .services import CompositionError, JuryError


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def member_json(m: JuryMember) -> dict:
    return {"id": m.id, "user": {"id": m.user.id, "name": m.user.name, "email": m.user.email}, "role": m.role,
            "is_professional": m.is_professional, "is_academic": m.is_academic, "gender": m.gender}


def candidate_json(c: JuryCandidate) -> dict:
    enrolment = c.enrolment
    return {"id": c.id, "enrolment": enrolment.id,
            "candidate": {"id": enrolment.candidate.id, "name": enrolment.candidate.name},
            "route": enrolment.route, "option": enrolment.option, "slot_at": _iso(c.slot_at),
            "attendance": c.attendance,
            "blocs": [b.code for b in ledger.blocs_to_examine(c.session, enrolment)],
            "acquired": sorted(ledger.acquired_blocs(enrolment, other_than=c.session))}


def decision_json(d: BlocDecision, revokes: int | None = None) -> dict:
    return {"id": d.id, "session": d.session_id, "enrolment": d.enrolment_id, "bloc": d.bloc.code,
            "full_code": d.bloc.full_code, "decision": d.decision, "comment": d.comment,
            "recommendations": d.recommendations, "is_casting_vote": d.is_casting_vote,
            "decided_by": d.decided_by_id, "decided_at": _iso(d.decided_at), "is_current": d.is_current,
            "superseded_by": d.superseded_by_id, "revokes": revokes, "revocation_reason": d.revocation_reason}


def composition_json(report: CompositionReport) -> dict:
    return {"ok": report.ok,
            "rules": [{"rule": r.code, "ok": r.ok, "message": r.rule, "detail": r.detail} for r in report.rules],
            "warnings": [{"code": w.code, "message": w.message} for w in report.warnings]}


def session_summary_json(s: JurySession) -> dict:
    return {"id": s.id, "certification": s.certification.code, "route": s.route, "date": s.date.isoformat(),
            "place": s.place, "status": s.status, "opened_at": _iso(s.opened_at), "closed_at": _iso(s.closed_at),
            "lock_version": s.lock_version}


def session_json(s: JurySession) -> dict:
    decisions = ledger.session_decisions(s)
    revoked_by = ledger.revoked_by(decisions)
    return {**session_summary_json(s),
            "members": [member_json(m) for m in s.members],
            "candidates": [candidate_json(c) for c in s.candidates],
            "decisions": [decision_json(d, revoked_by.get(d.id)) for d in decisions],
            "composition": composition_json(check_composition(s))}


def _session(session_id: int, action: str = "view") -> JurySession:
    return require(action, db.session.get(JurySession, session_id), user=api_user())


def _refused(exc: JuryError):
    db.session.rollback()
    if isinstance(exc, CompositionError):
        return problem(409, "Conflict", str(exc), rule=exc.rule,
                       violations=[{"rule": r.code, "message": r.rule, "detail": r.detail}
                                   for r in exc.report.failures])
    extra = {"field": exc.field} if exc.field else {}
    titles = {403: "Forbidden", 409: "Conflict", 422: "Unprocessable Content"}
    return problem(exc.status, titles.get(exc.status, "Error"), str(exc), **extra)


def _bool(body: dict, field: str) -> bool:
    value = body.get(field, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        abort(422, description=f"'{field}' must be true or false")
    return value


def _optional_text(body: dict, field: str) -> str | None:
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        abort(422, description=f"'{field}' must be a string")
    return value


def _date(body: dict, field: str) -> date:
    value = body.get(field)
    if not isinstance(value, str):
        abort(422, description=f"'{field}' is required (an ISO date, YYYY-MM-DD)")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        abort(422, description=f"'{field}' is not a valid ISO date (YYYY-MM-DD): {value[:40]!r}")


def _datetime(body: dict, field: str) -> datetime | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        abort(422, description=f"'{field}' must be an ISO date and time with its offset")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        abort(422, description=f"'{field}' is not a valid ISO date and time: {value[:40]!r}")
    if parsed.tzinfo is None:
        abort(422, description=f"'{field}' needs a time zone offset (e.g. 2025-06-12T09:30:00+02:00)")
    return parsed


def _send(session: JurySession) -> int:
    """Send the convocations after the change is committed; a mail failure does not undo it."""
    try:
        sent = send_convocations(session, actor=api_user())
        db.session.commit()
        return sent
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("convocations of jury session %s not sent", session.id)
        db.session.rollback()
        return 0


@bp.get("/jury-sessions")
def list_jury_sessions():
    user = api_user()
    query = select(JurySession).order_by(JurySession.date.desc(), JurySession.id.desc())
    if not user.has_role("admin"):
        if not user.has_role("jury"):
            return []
        query = query.where(JurySession.id.in_(select(JuryMember.session_id).where(JuryMember.user_id == user.id)))
    return [session_summary_json(s) for s in db.session.scalars(query)]


@bp.post("/jury-sessions")
def create_jury_session():
    require_role("admin", user=api_user())
    body = json_body()
    code = body.get("certification")
    certification = current_certification(code.strip()) if isinstance(code, str) and code.strip() else None
    if certification is None:
        abort(422, description="'certification' must be the code of a known certification (e.g. RNCP41241)")
    on = _date(body, "date")
    route = body.get("route")
    try:
        session = services.create_session(certification, on, route if isinstance(route, str) else "",
                                          place=_optional_text(body, "place"), actor=api_user())
    except JuryError as exc:
        return _refused(exc)
    db.session.commit()
    return session_json(session), 201


@bp.get("/jury-sessions/<int:session_id>")
def get_jury_session(session_id: int):
    return session_json(_session(session_id))


@bp.post("/jury-sessions/<int:session_id>/members")
def add_jury_member(session_id: int):
    session = _session(session_id, "compose")
    body = json_body()
    email = body.get("user")
    user = get_user_by_email(email) if isinstance(email, str) and email.strip() else None
    if user is None:
        abort(422, description="'user' must be the email of an existing user")
    role = body.get("role", "member")
    gender = body.get("gender")
    try:
        member = services.add_member(session, user, role if isinstance(role, str) else "",
                                     is_professional=_bool(body, "is_professional"),
                                     is_academic=_bool(body, "is_academic"),
                                     gender=gender if isinstance(gender, str) or gender is None else "?",
                                     actor=api_user())
    except JuryError as exc:
        return _refused(exc)
    db.session.commit()
    return member_json(member), 201


@bp.post("/jury-sessions/<int:session_id>/candidates")
def add_jury_candidate(session_id: int):
    session = _session(session_id, "compose")
    body = json_body()
    if "enrolment" not in body:
        abort(422, description="'enrolment' is required (an enrolment id)")
    enrolment = db.session.get(Enrolment, parse_id(body.get("enrolment"), "enrolment"))
    if enrolment is None:
        abort(422, description="'enrolment' is not an existing enrolment")
    try:
        candidate = services.add_candidate(session, enrolment, slot_at=_datetime(body, "slot_at"), actor=api_user())
    except JuryError as exc:
        return _refused(exc)
    db.session.commit()
    return candidate_json(candidate), 201


@bp.post("/jury-sessions/<int:session_id>/open")
def open_jury_session(session_id: int):
    session = _session(session_id, "compose")
    try:
        services.open_session(session, actor=api_user())
    except JuryError as exc:
        return _refused(exc)
    db.session.commit()
    sent = _send(session)
    return {**session_json(session), "convocations_sent": sent}


@bp.post("/jury-sessions/<int:session_id>/convocations")
def send_jury_convocations(session_id: int):
    session = _session(session_id, "compose")
    if session.is_closed:
        return _refused(services.StateConflict("The session is closed: it can no longer change."))
    return {"sent": _send(session)}


@bp.post("/jury-sessions/<int:session_id>/decisions")
def record_jury_decision(session_id: int):
    session = _session(session_id, "decide")
    body = json_body()
    if "enrolment" not in body:
        abort(422, description="'enrolment' is required (an enrolment id)")
    enrolment = db.session.get(Enrolment, parse_id(body.get("enrolment"), "enrolment"))
    if enrolment is None or services.session_candidate(session, enrolment.id) is None:
        abort(422, description="'enrolment' is not a candidate of this session")
    revokes = body.get("revokes")
    decision = body.get("decision")
    try:
        row = services.record_decision(
            session, enrolment, body.get("bloc"), decision if isinstance(decision, str) else "", actor=api_user(),
            comment=_optional_text(body, "comment"), recommendations=_optional_text(body, "recommendations"),
            is_casting_vote=_bool(body, "is_casting_vote"),
            revokes=parse_id(revokes, "revokes") if revokes is not None else None,
            reason=_optional_text(body, "reason"))
    except JuryError as exc:
        return _refused(exc)
    db.session.commit()
    return decision_json(row, revokes=parse_id(revokes, "revokes") if revokes is not None else None), 201


@bp.post("/jury-sessions/<int:session_id>/close")
def close_jury_session(session_id: int):
    session = _session(session_id, "close")
    try:
        services.close_session(session, actor=api_user())
    except JuryError as exc:
        return _refused(exc)
    db.session.commit()
    return session_json(session)
