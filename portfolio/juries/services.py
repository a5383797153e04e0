"""Jury sessions: creating and composing them, opening them once their composition meets the rules,
recording bloc decisions, revoking a decision by a new one with its reason, and closing.

Services take explicit arguments, enforce the rules, flush and write audit rows; the caller commits.
They raise ``InvalidRequest`` (422: the request names something wrong), ``NotAllowed`` (403) or
``StateConflict`` (409: the session's state or composition refuses the change); the messages are
whole sentences, safe to show.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..db import utcnow
from ..enrolments.models import Enrolment
from ..extensions import db
from ..referential.models import Bloc, Certification
from . import ledger
from .composition import CONFLICT_KINDS, CompositionReport, check_composition, member_conflicts
from .models import BlocDecision, JuryCandidate, JuryConflict, JuryMember, JurySession
from .permissions import DECIDING_ROLES, member_of

SESSION_ROUTES = ("training", "vae")
TRAINING_ROUTES = ("training", "apprenticeship", "continuing", "professionalisation")
MEMBER_ROLES = ("president", "secretary", "member")
GENDERS = ("f", "m", "x")
DECISIONS = ("validated", "not_validated")
ATTENDANCES = ("expected", "present", "absent", "excused")
MAX_TEXT = 10_000


class JuryError(Exception):
    status = 422

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidRequest(JuryError):
    status = 422


class NotAllowed(JuryError):
    status = 403


class StateConflict(JuryError):
    status = 409


class CompositionError(StateConflict):
    """The composition breaks a rule; ``rule`` is the first broken rule's code, ``report`` the whole check."""

    def __init__(self, report: CompositionReport):
        failure = report.failures[0]
        message = _("The session cannot open: the rule “%(rule)s” is not met. %(detail)s",
                    rule=failure.rule, detail=failure.detail).strip()
        super().__init__(message)
        self.rule = failure.code
        self.report = report


def _snapshot_session(s: JurySession) -> dict:
    return {"certification": s.certification.code, "route": s.route, "date": s.date.isoformat(), "place": s.place,
            "status": s.status}


def require_draft(session: JurySession) -> None:
    if session.status == "closed":
        raise StateConflict(_("The session is closed: it can no longer change."))
    if session.status != "draft":
        raise StateConflict(_("The session is open: its composition can no longer change."))


def require_open(session: JurySession) -> None:
    if session.status == "closed":
        raise StateConflict(_("The session is closed: its decisions are final."))
    if session.status != "open":
        raise StateConflict(_("The session is not open yet: decisions are recorded once it opens."))


def require_not_closed(session: JurySession) -> None:
    if session.status == "closed":
        raise StateConflict(_("The session is closed: it can no longer change."))


def _lock(session: JurySession) -> None:
    """Serialise the changes made to one session (a row lock on PostgreSQL)."""
    db.session.execute(select(JurySession.id).where(JurySession.id == session.id).with_for_update())


def _text(value, field: str, *, maximum: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRequest(_("This field must be text."), field=field)
    value = value.strip()
    if len(value) > maximum:
        raise InvalidRequest(_("This text is too long (at most %(num)d characters).", num=maximum), field=field)
    return value


# --- sessions -------------------------------------------------------------------------------------

def create_session(certification: Certification, on: date, route: str, place: str | None = None,
                   actor=None) -> JurySession:
    """Create a draft session of ``certification`` on the ``route`` (training or vae) and date."""
    if route not in SESSION_ROUTES:
        raise InvalidRequest(_("The route must be “training” or “vae”."), field="route")
    row = certification.route(route)
    if row is None or not row.is_open:
        raise InvalidRequest(_("The fiche of %(code)s gives no jury for this route.", code=certification.code),
                             field="route")
    if not isinstance(on, date):
        raise InvalidRequest(_("The date must be a date."), field="date")
    session = JurySession(certification=certification, route=route, date=on,
                          place=_text(place, "place", maximum=200) or None)
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "jury_session.create", "jury_session", session.id, after=_snapshot_session(session))
    return session


def update_session(session: JurySession, on: date, place: str | None, actor=None) -> None:
    """Change a draft session's date and place."""
    require_draft(session)
    before = _snapshot_session(session)
    session.date = on
    session.place = _text(place, "place", maximum=200) or None
    db.session.flush()
    audit.record(actor, "jury_session.update", "jury_session", session.id, before=before,
                 after=_snapshot_session(session))


def add_member(session: JurySession, user: User, role: str, *, is_professional: bool = False,
               is_academic: bool = False, gender: str | None = None, actor=None) -> JuryMember:
    """Seat ``user`` (who must hold the jury role) in a draft session. One president, one secretary."""
    require_draft(session)
    if role not in MEMBER_ROLES:
        raise InvalidRequest(_("The role must be president, secretary or member."), field="role")
    if gender not in (None, *GENDERS):
        raise InvalidRequest(_("The gender must be f, m or x, or left empty."), field="gender")
    if not user.has_role("jury"):
        raise InvalidRequest(_("%(email)s does not have the jury member role.", email=user.email), field="user")
    if any(m.user_id == user.id for m in session.members):
        raise StateConflict(_("%(name)s already sits on this jury.", name=user.name), field="user")
    if role in ("president", "secretary") and any(m.role == role for m in session.members):
        message = (_("The jury already has a president.") if role == "president"
                   else _("The jury already has a secretary."))
        raise StateConflict(message, field="role")
    member = JuryMember(session=session, user=user, role=role, is_professional=bool(is_professional),
                        is_academic=bool(is_academic), gender=gender)
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "jury_member.add", "jury_session", session.id,
                 after={"member": member.id, "user": user.id, "role": role, "is_professional": member.is_professional,
                        "is_academic": member.is_academic, "gender": gender})
    return member


def remove_member(member: JuryMember, actor=None) -> None:
    session = member.session
    require_draft(session)
    audit.record(actor, "jury_member.remove", "jury_session", session.id,
                 before={"member": member.id, "user": member.user_id, "role": member.role})
    session.members.remove(member)
    db.session.flush()


def _check_slot(session: JurySession, slot_at: datetime | None) -> None:
    if slot_at is None:
        return
    if session.route != "vae":
        raise InvalidRequest(_("Only VAE candidates have a defence time slot."), field="slot_at")
    if slot_at.tzinfo is None:
        raise InvalidRequest(_("The time slot needs a time zone."), field="slot_at")


def add_candidate(session: JurySession, enrolment: Enrolment, *, slot_at: datetime | None = None,
                  actor=None) -> JuryCandidate:
    """Add an enrolment of the session's certification and route to a draft session."""
    require_draft(session)
    if enrolment.certification.code != session.certification.code:
        raise InvalidRequest(_("This enrolment is not in %(code)s.", code=session.certification.code),
                             field="enrolment")
    expected = ("vae",) if session.route == "vae" else TRAINING_ROUTES
    if enrolment.route not in expected:
        raise InvalidRequest(
            _("A VAE session examines VAE candidates only.") if session.route == "vae"
            else _("A training session examines candidates of the training routes only, not VAE candidates."),
            field="enrolment")
    _check_slot(session, slot_at)
    if any(c.enrolment_id == enrolment.id for c in session.candidates):
        raise StateConflict(_("%(name)s is already a candidate of this session.", name=enrolment.candidate.name),
                            field="enrolment")
    elsewhere = db.session.scalar(
        select(JurySession).join(JuryCandidate, JuryCandidate.session_id == JurySession.id)
        .where(JuryCandidate.enrolment_id == enrolment.id, JurySession.id != session.id,
               JurySession.status != "closed")
    )
    if elsewhere is not None:
        raise StateConflict(_("%(name)s is already a candidate of another session that is not closed (session of "
                              "%(date)s).", name=enrolment.candidate.name, date=elsewhere.date.isoformat()),
                            field="enrolment")
    candidate = JuryCandidate(session=session, enrolment=enrolment, slot_at=slot_at)
    db.session.add(candidate)
    db.session.flush()
    audit.record(actor, "jury_candidate.add", "jury_session", session.id,
                 after={"enrolment": enrolment.id, "slot_at": slot_at.isoformat() if slot_at else None})
    return candidate


def set_slot(candidate: JuryCandidate, slot_at: datetime | None, actor=None) -> None:
    """Set a VAE candidate's defence time slot (before the session closes)."""
    require_not_closed(candidate.session)
    _check_slot(candidate.session, slot_at)
    before = candidate.slot_at.isoformat() if candidate.slot_at else None
    candidate.slot_at = slot_at
    db.session.flush()
    audit.record(actor, "jury_candidate.slot", "jury_session", candidate.session_id,
                 before={"enrolment": candidate.enrolment_id, "slot_at": before},
                 after={"enrolment": candidate.enrolment_id, "slot_at": slot_at.isoformat() if slot_at else None})


def remove_candidate(candidate: JuryCandidate, actor=None) -> None:
    session = candidate.session
    require_draft(session)
    audit.record(actor, "jury_candidate.remove", "jury_session", session.id,
                 before={"enrolment": candidate.enrolment_id})
    session.candidates.remove(candidate)
    db.session.flush()


def record_conflict(member: JuryMember, enrolment: Enrolment, kind: str, note: str | None = None,
                    actor=None) -> JuryConflict:
    """Record that ``member`` may not sit for ``enrolment`` (recorded by an admin or declared by the member).

    Before opening, it stops the session from opening until the composition changes; once open, the
    member may no longer decide for that candidate.
    """
    session = member.session
    require_not_closed(session)
    if kind not in CONFLICT_KINDS:
        raise InvalidRequest(_("The kind of link must be assessed, accompanied or declared."), field="kind")
    if not any(c.enrolment_id == enrolment.id for c in session.candidates):
        raise InvalidRequest(_("This enrolment is not a candidate of this session."), field="enrolment")
    existing = db.session.scalar(
        select(JuryConflict).where(JuryConflict.member_id == member.id, JuryConflict.enrolment_id == enrolment.id))
    if existing is not None:
        raise StateConflict(_("A link between %(member)s and %(candidate)s is already recorded.",
                              member=member.user.name, candidate=enrolment.candidate.name), field="enrolment")
    row = JuryConflict(member_id=member.id, enrolment_id=enrolment.id, kind=kind,
                       note=_text(note, "note", maximum=2000) or None)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "jury_conflict.record", "jury_session", session.id,
                 after={"conflict": row.id, "member": member.id, "enrolment": enrolment.id, "kind": kind})
    return row


def remove_conflict(row: JuryConflict, session: JurySession, actor=None) -> None:
    """Withdraw a recorded link (draft sessions only: once open, a declared link stands)."""
    require_draft(session)
    audit.record(actor, "jury_conflict.remove", "jury_session", session.id,
                 before={"conflict": row.id, "member": row.member_id, "enrolment": row.enrolment_id, "kind": row.kind})
    db.session.delete(row)
    db.session.flush()


def open_session(session: JurySession, actor=None) -> CompositionReport:
    """Open a draft session once its composition meets every rule; raise CompositionError naming the
    first rule broken otherwise. Returns the check (its warnings do not stop the opening)."""
    _lock(session)
    require_draft(session)
    report = check_composition(session)
    if not report.ok:
        raise CompositionError(report)
    session.status = "open"
    session.opened_at = utcnow()
    db.session.flush()
    audit.record(actor, "jury_session.open", "jury_session", session.id, before={"status": "draft"},
                 after={"status": "open", "warnings": [w.code for w in report.warnings]})
    return report


def close_session(session: JurySession, actor) -> None:
    """Close an open session (its president only); its decisions are then final."""
    _lock(session)
    require_open(session)
    member = member_of(actor, session)
    if member is None or member.role != "president":
        raise NotAllowed(_("Only the president closes the session."))
    session.status = "closed"
    session.closed_at = utcnow()
    session.closed_by_id = actor.id
    db.session.flush()
    audit.record(actor, "jury_session.close", "jury_session", session.id, before={"status": "open"},
                 after={"status": "closed", "pending": {str(c.enrolment_id): codes
                                                        for c, codes in pending_decisions(session)}})


# --- deliberation ---------------------------------------------------------------------------------

def session_candidate(session: JurySession, enrolment_id: int) -> JuryCandidate | None:
    return next((c for c in session.candidates if c.enrolment_id == enrolment_id), None)


def resolve_bloc(enrolment: Enrolment, code) -> Bloc:
    """The bloc ``BCnn`` (or ``RNCP41241BCnn``) of the enrolment's certification; InvalidRequest otherwise."""
    if not isinstance(code, str) or not code.strip():
        raise InvalidRequest(_("Name the bloc by its code, for example BC01."), field="bloc")
    value = code.strip().upper()
    prefix = enrolment.certification.code.upper()
    if value.startswith(prefix):
        value = value[len(prefix):]
    bloc = next((b for b in enrolment.certification.blocs if b.code.upper() == value), None)
    if bloc is None:
        raise InvalidRequest(_("%(code)s is not a bloc of %(certification)s.", code=code.strip()[:40],
                               certification=enrolment.certification.code), field="bloc")
    return bloc


def set_attendance(candidate: JuryCandidate, attendance: str, actor) -> None:
    """Record whether the candidate came (open sessions, by the president or secretary). An absent or
    excused candidate has no bloc decision; one with decisions cannot be marked absent."""
    session = candidate.session
    require_open(session)
    _require_decider(session, actor)
    if attendance not in ATTENDANCES:
        raise InvalidRequest(_("The attendance must be expected, present, absent or excused."), field="attendance")
    if attendance in ("absent", "excused") and ledger.current_in_session(session, candidate.enrolment_id):
        raise StateConflict(_("Decisions are already recorded for this candidate: revoke them before recording an "
                              "absence."), field="attendance")
    before = candidate.attendance
    candidate.attendance = attendance
    db.session.flush()
    audit.record(actor, "jury_candidate.attendance", "jury_session", session.id,
                 before={"enrolment": candidate.enrolment_id, "attendance": before},
                 after={"enrolment": candidate.enrolment_id, "attendance": attendance})


def _require_decider(session: JurySession, actor) -> JuryMember:
    member = member_of(actor, session)
    if member is None or member.role not in DECIDING_ROLES:
        raise NotAllowed(_("Only the president or the secretary of the jury records decisions."))
    return member


def _decision_json(d: BlocDecision) -> dict:
    return {"decision": d.id, "session": d.session_id, "enrolment": d.enrolment_id, "bloc": d.bloc.code,
            "value": d.decision, "comment": d.comment, "recommendations": d.recommendations,
            "is_casting_vote": d.is_casting_vote, "revocation_reason": d.revocation_reason}


def record_decision(session: JurySession, enrolment: Enrolment, bloc_code, decision: str, *, actor,
                    comment: str | None = "", recommendations: str | None = None, is_casting_vote: bool = False,
                    revokes: int | None = None, reason: str | None = None) -> BlocDecision:
    """Record the jury's decision on one bloc of one candidate, in an open session.

    A bloc already decided in this session, or validated by an earlier session, is decided again only
    by revoking that decision (``revokes`` its id, with a ``reason``): the old decision is superseded,
    never edited, and both stay. Raises StateConflict (session not open, bloc already decided, absent
    candidate), NotAllowed (not the president or secretary, a member in conflict with the candidate,
    a casting vote by someone other than the president), InvalidRequest (not a candidate of the
    session, a bloc the candidate is not registered for, a bad value).
    """
    _lock(session)
    require_open(session)
    member = _require_decider(session, actor)
    candidate = session_candidate(session, enrolment.id)
    if candidate is None:
        raise InvalidRequest(_("This enrolment is not a candidate of this session."), field="enrolment")
    conflicts = member_conflicts(member, enrolment)
    if conflicts:
        raise NotAllowed(conflicts[0].message)
    if is_casting_vote and member.role != "president":
        raise NotAllowed(_("Only the president has the casting vote."))
    bloc = resolve_bloc(enrolment, bloc_code)
    if bloc.code not in {b.code for b in ledger.registered_blocs(enrolment)}:
        raise InvalidRequest(_("%(name)s is not registered for %(bloc)s.", name=enrolment.candidate.name,
                               bloc=bloc.code), field="bloc")
    if decision not in DECISIONS:
        raise InvalidRequest(_("The decision must be “validated” or “not_validated”."), field="decision")
    if candidate.attendance in ("absent", "excused"):
        raise StateConflict(_("%(name)s is recorded as absent or excused: no bloc decision is taken.",
                              name=enrolment.candidate.name), field="enrolment")
    comment = _text(comment, "comment")
    recommendations = _text(recommendations, "recommendations") or None
    if recommendations and decision == "validated":
        raise InvalidRequest(_("Recommendations are given for a bloc that is not validated."),
                             field="recommendations")
    if session.route == "vae" and decision == "not_validated" and not recommendations:
        raise InvalidRequest(_("For a VAE candidate, give your recommendations (préconisations) for a bloc that is "
                               "not validated."), field="recommendations")

    in_session = ledger.current_in_session(session, enrolment.id).get(bloc.code)
    acquired = ledger.acquired_blocs(enrolment, other_than=session).get(bloc.code)
    revoked: BlocDecision | None = None
    if revokes is not None:
        revoked = db.session.get(BlocDecision, revokes)
        if revoked is None or revoked.enrolment_id != enrolment.id or revoked.bloc_id != bloc.id:
            raise InvalidRequest(_("The decision to revoke is not a decision on %(bloc)s for this candidate.",
                                   bloc=bloc.code), field="revokes")
        if revoked.superseded_by_id is not None:
            raise StateConflict(_("This decision has already been revoked."), field="revokes")
        if revoked.session_id != session.id and revoked.session.status != "closed":
            raise StateConflict(_("This decision belongs to another session that is still open."), field="revokes")
        if in_session is not None and revoked.id != in_session.id:
            raise StateConflict(_("%(bloc)s is already decided in this session: revoke that decision (number %(id)d).",
                                  bloc=bloc.code, id=in_session.id), field="revokes")
        reason = _text(reason, "reason")
        if not reason:
            raise InvalidRequest(_("Give the reason for revoking the earlier decision."), field="reason")
    elif in_session is not None:
        raise StateConflict(_("%(bloc)s is already decided in this session: revoke that decision (number %(id)d) "
                              "with your reason to decide again.", bloc=bloc.code, id=in_session.id), field="bloc")
    elif acquired is not None:
        raise StateConflict(_("%(bloc)s was validated by the jury of %(date)s and is acquired: only an explicit "
                              "revocation of that decision (number %(id)d), with its reason, changes it.",
                              bloc=bloc.code, date=acquired.session.date.isoformat(), id=acquired.id), field="bloc")

    new = BlocDecision(session=session, enrolment=enrolment, bloc=bloc, decision=decision, comment=comment,
                       recommendations=recommendations, is_casting_vote=bool(is_casting_vote),
                       decided_by_id=actor.id, revocation_reason=reason if revoked is not None else None)
    db.session.add(new)
    db.session.flush()
    if candidate.attendance == "expected":
        candidate.attendance = "present"
    if revoked is not None:
        before = _decision_json(revoked)
        revoked.superseded_by_id = new.id
        db.session.flush()
        audit.record(actor, "bloc_decision.revoke", "bloc_decision", revoked.id, before=before,
                     after={**_decision_json(revoked), "superseded_by": new.id, "reason": reason})
    audit.record(actor, "bloc_decision.record", "bloc_decision", new.id, after=_decision_json(new))
    return new


def pending_decisions(session: JurySession) -> list[tuple[JuryCandidate, list[str]]]:
    """Candidates expected or present with blocs still undecided in this session."""
    pending = []
    for candidate in session.candidates:
        if candidate.attendance in ("absent", "excused"):
            continue
        decided = ledger.current_in_session(session, candidate.enrolment_id)
        codes = [b.code for b in ledger.blocs_to_examine(session, candidate.enrolment) if b.code not in decided]
        if codes:
            pending.append((candidate, codes))
    return pending
