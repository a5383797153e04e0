"""Who may read a candidate's evidence bundle and the jury's documents.

The bundle of a candidate and the minutes of a session: the session's members (with the jury role) and
admins; a member who declared or was found to have a link with a candidate (a conflict) does not read
that candidate's bundle. An attestation of validated blocs and the certification decision: the
candidate concerned, admins and the members of a session that examines the candidate. Everyone else
is answered 404, as for anything they may not see.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from ..enrolments.models import Enrolment
from ..extensions import db
from ..policy import rule
from .models import JuryCandidate, JuryConflict, JuryMember, JurySession


def _is_juror(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.has_role("jury")


def seat_in(user, session_id: int) -> JuryMember | None:
    """The user's seat in the session, or None (a member whose jury role was withdrawn has none)."""
    if not _is_juror(user):
        return None
    return db.session.scalar(
        select(JuryMember).where(JuryMember.session_id == session_id, JuryMember.user_id == user.id))


def sits_for_enrolment(user, enrolment_id: int) -> bool:
    """Whether the user is a member of a session that examines this enrolment."""
    if not _is_juror(user):
        return False
    return bool(db.session.scalar(select(exists().where(
        JuryMember.user_id == user.id, JuryCandidate.session_id == JuryMember.session_id,
        JuryCandidate.enrolment_id == enrolment_id))))


@rule("read_minutes", JurySession)
def read_minutes(user, session: JurySession) -> bool:
    return seat_in(user, session.id) is not None


@rule("read_bundle", JuryCandidate)
def read_bundle(user, candidate: JuryCandidate) -> bool:
    seat = seat_in(user, candidate.session_id)
    if seat is None:
        return False
    conflicted = db.session.scalar(select(exists().where(
        JuryConflict.member_id == seat.id, JuryConflict.enrolment_id == candidate.enrolment_id)))
    return not conflicted


@rule("read_attestation", Enrolment)
def read_attestation(user, enrolment: Enrolment) -> bool:
    return enrolment.user_id == user.id or sits_for_enrolment(user, enrolment.id)


@rule("read_certification_decision", Enrolment)
def read_certification_decision(user, enrolment: Enrolment) -> bool:
    return enrolment.user_id == user.id or sits_for_enrolment(user, enrolment.id)
