"""The ledger of blocs: what juries decided for each enrolment, across sessions.

A decision becomes final when its session closes. The current decision for a bloc is the latest one
not superseded; a validated bloc is acquired for life (only an explicit revocation, with its reason,
supersedes it), so a candidate comes back in a later session for the missing blocs only.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..enrolments.models import Enrolment
from ..enrolments.services import required_bloc_codes
from ..extensions import db
from ..referential.models import Bloc
from .models import BlocDecision, JuryMember, JurySession

CHUNK = 500


def current_bloc_decisions(enrolment_ids: Iterable[int], *, final_only: bool = True) -> dict[int, dict[str, str]]:
    """``{enrolment_id: {"BC01": "validated" | "not_validated", ...}}`` for the blocs a jury decided.

    One query per 500 enrolments. ``final_only``: decisions of closed sessions only (an open
    session's decisions are not final until its president closes it). A bloc validated once stays
    validated, whatever came later, unless that decision was revoked.
    """
    ids = sorted(set(enrolment_ids))
    result: dict[int, dict[str, str]] = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(BlocDecision.enrolment_id, Bloc.code, BlocDecision.decision)
            .join(Bloc, BlocDecision.bloc_id == Bloc.id)
            .join(JurySession, BlocDecision.session_id == JurySession.id)
            .where(BlocDecision.enrolment_id.in_(ids[start:start + CHUNK]), BlocDecision.superseded_by_id.is_(None))
            .order_by(JurySession.date, BlocDecision.decided_at, BlocDecision.id)
        )
        if final_only:
            query = query.where(JurySession.status == "closed")
        for enrolment_id, code, decision in db.session.execute(query):
            blocs = result.setdefault(enrolment_id, {})
            if blocs.get(code) != "validated":
                blocs[code] = decision
    return result


def acquired_blocs(enrolment: Enrolment, *, other_than: JurySession | None = None) -> dict[str, BlocDecision]:
    """The blocs validated by a closed session (other than ``other_than``), with the deciding decision."""
    query = (
        select(BlocDecision).join(JurySession, BlocDecision.session_id == JurySession.id)
        .where(BlocDecision.enrolment_id == enrolment.id, BlocDecision.superseded_by_id.is_(None),
               BlocDecision.decision == "validated", JurySession.status == "closed")
        .order_by(JurySession.date, BlocDecision.decided_at, BlocDecision.id)
    )
    if other_than is not None and other_than.id is not None:
        query = query.where(BlocDecision.session_id != other_than.id)
    acquired: dict[str, BlocDecision] = {}
    for decision in db.session.scalars(query):
        acquired.setdefault(decision.bloc.code, decision)
    return acquired


def registered_blocs(enrolment: Enrolment) -> list[Bloc]:
    """The blocs the enrolment is registered for: the common blocs and those of its option."""
    codes = set(required_bloc_codes(enrolment))
    return [b for b in enrolment.certification.blocs if b.code in codes]


def blocs_to_examine(session: JurySession, enrolment: Enrolment) -> list[Bloc]:
    """The registered blocs not already validated by another, closed, session."""
    acquired = acquired_blocs(enrolment, other_than=session)
    return [b for b in registered_blocs(enrolment) if b.code not in acquired]


def session_decisions(session: JurySession, enrolment_id: int | None = None, *,
                      current_only: bool = False) -> list[BlocDecision]:
    """The session's decisions (oldest first), for one candidate or all."""
    query = select(BlocDecision).where(BlocDecision.session_id == session.id)
    if enrolment_id is not None:
        query = query.where(BlocDecision.enrolment_id == enrolment_id)
    if current_only:
        query = query.where(BlocDecision.superseded_by_id.is_(None))
    return list(db.session.scalars(query.order_by(BlocDecision.decided_at, BlocDecision.id)))


def current_in_session(session: JurySession, enrolment_id: int) -> dict[str, BlocDecision]:
    """``{bloc code: the session's current decision}`` for one candidate."""
    return {d.bloc.code: d for d in session_decisions(session, enrolment_id, current_only=True)}


def revoked_by(decisions: Iterable[BlocDecision]) -> dict[int, int]:
    """``{new decision id: id of the decision it revoked}`` for these decisions, in one query."""
    ids = [d.id for d in decisions]
    if not ids:
        return {}
    rows = db.session.execute(select(BlocDecision.superseded_by_id, BlocDecision.id)
                              .where(BlocDecision.superseded_by_id.in_(ids)))
    return {new: old for new, old in rows}


def decision_history(enrolment: Enrolment, viewer) -> list[BlocDecision]:
    """Every decision on the enrolment's blocs, revoked ones included, oldest first.

    Decisions of closed sessions are shown to whoever sees the enrolment; those of a session still
    open only to admins and to that session's members (a deliberation is final once closed).
    """
    query = (
        select(BlocDecision).join(JurySession, BlocDecision.session_id == JurySession.id)
        .where(BlocDecision.enrolment_id == enrolment.id)
        .options(selectinload(BlocDecision.session), selectinload(BlocDecision.decided_by))
        .order_by(JurySession.date, JurySession.id, BlocDecision.decided_at, BlocDecision.id)
    )
    if not viewer.has_role("admin"):
        member_sessions = select(JuryMember.session_id).where(JuryMember.user_id == viewer.id)
        if viewer.has_role("jury"):
            query = query.where(or_(JurySession.status == "closed", JurySession.id.in_(member_sessions)))
        else:
            query = query.where(JurySession.status == "closed")
    return list(db.session.scalars(query))
