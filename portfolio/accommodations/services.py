"""Accommodations: recording them (referents) and applying their effect (everyone else).

Only ``effective_due_at`` is meant for the rest of the platform: it gives the candidate's own due
date for an assessment without revealing why it differs.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..accounts.models import User
from ..assessments.models import Assessment
from ..db import utcnow
from ..enrolments.models import Enrolment
from ..extensions import db
from .models import Accommodation


def effective_due_at(enrolment, assessment, on: datetime | None = None) -> datetime | None:
    """The due date that applies to this candidate for this assessment.

    A new due date recorded for the assessment wins; otherwise the largest extra time valid on the
    assessment's due day extends it by that share of the assessment's duration (opens_at → due_at).
    """
    if assessment is None or assessment.due_at is None:
        return None
    base = assessment.due_at
    day = (on or base).date()
    rows = db.session.scalars(
        select(Accommodation).where(Accommodation.enrolment_id == enrolment.id, Accommodation.revoked_at.is_(None))
    ).all()
    applicable = [a for a in rows if a.applies_on(day)]
    dated = [a.new_due_at for a in applicable if a.kind == "due_date" and a.assessment_id == assessment.id]
    if dated:
        return max(dated)
    percents = [a.extra_time_percent for a in applicable if a.kind == "extra_time"]
    if percents and assessment.opens_at is not None and assessment.opens_at < base:
        return base + (base - assessment.opens_at) * (max(percents) / 100)
    return base


# --- recording (referents and admins) -------------------------------------------------------------

BASES = ("disability", "temporary", "other")


class AccommodationError(ValueError):
    """Input that breaks a rule of an accommodation; ``field`` names the input, the message is safe to show."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def assessments_for(enrolment) -> list[Assessment]:
    """The assessments a due-date accommodation may move: the candidate's cohort's, and those of their
    certification that belong to no cohort."""
    cohort_condition = Assessment.cohort_id.is_(None)
    if enrolment.cohort_id is not None:
        cohort_condition = or_(cohort_condition, Assessment.cohort_id == enrolment.cohort_id)
    return list(db.session.scalars(
        select(Assessment).where(Assessment.certification_id == enrolment.certification_id, cohort_condition)
        .order_by(Assessment.due_at.is_(None), Assessment.due_at, Assessment.code)
    ))


def _state(row: Accommodation) -> dict:
    """What the audit log keeps of an accommodation: its effect and validity, never the notes."""
    return {"kind": row.kind, "extra_time_percent": row.extra_time_percent, "assessment": row.assessment_id,
            "new_due_at": row.new_due_at.isoformat() if row.new_due_at else None,
            "valid_from": row.valid_from.isoformat(), "valid_until": row.valid_until.isoformat() if row.valid_until
            else None, "basis": row.basis}


def _common(valid_from: date, valid_until: date | None, basis: str, notes: str | None) -> dict:
    if not isinstance(valid_from, date):
        raise AccommodationError("valid_from", "the first day of validity is required")
    if valid_until is not None and valid_until < valid_from:
        raise AccommodationError("valid_until", "the end of validity is before its start")
    if basis not in BASES:
        raise AccommodationError("basis", "the basis must be one of " + ", ".join(BASES))
    notes = (notes or "").strip() or None
    if notes is not None and len(notes) > 2000:
        raise AccommodationError("notes", "the notes are longer than 2000 characters")
    return {"valid_from": valid_from, "valid_until": valid_until, "basis": basis, "notes": notes}


def grant_extra_time(enrolment, *, percent: int, valid_from: date, valid_until: date | None = None,
                     basis: str = "disability", notes: str | None = None, actor=None) -> Accommodation:
    """Extra time on every assessment, as a share of its duration. Raises AccommodationError."""
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 300:
        raise AccommodationError("extra_time_percent", "the extra time is a percentage between 1 and 300")
    row = Accommodation(enrolment_id=enrolment.id, kind="extra_time", extra_time_percent=percent,
                        created_by_id=getattr(actor, "id", None),
                        **_common(valid_from, valid_until, basis, notes))
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "accommodation.create", "accommodation", row.id, after=_state(row))
    return row


def grant_due_date(enrolment, *, assessment: Assessment, new_due_at: datetime, valid_from: date,
                   valid_until: date | None = None, basis: str = "disability", notes: str | None = None,
                   actor=None) -> Accommodation:
    """A new due date for one assessment of the candidate. Raises AccommodationError.

    The assessment must be one of the candidate's (see ``assessments_for``) and the new date later
    than its own due date.
    """
    if assessment is None or assessment.id not in {a.id for a in assessments_for(enrolment)}:
        raise AccommodationError("assessment", "choose one of the candidate's assessments")
    if not isinstance(new_due_at, datetime) or new_due_at.tzinfo is None:
        raise AccommodationError("new_due_at", "the new due date and time are required")
    if assessment.due_at is not None and new_due_at <= assessment.due_at:
        raise AccommodationError("new_due_at", "the new due date must be later than the assessment's own")
    row = Accommodation(enrolment_id=enrolment.id, kind="due_date", assessment_id=assessment.id,
                        new_due_at=new_due_at, created_by_id=getattr(actor, "id", None),
                        **_common(valid_from, valid_until, basis, notes))
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "accommodation.create", "accommodation", row.id, after=_state(row))
    return row


def revoke(row: Accommodation, actor=None) -> None:
    """Revoke an accommodation: it stops applying; the record is kept. Revoking twice changes nothing."""
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    db.session.flush()
    audit.record(actor, "accommodation.revoke", "accommodation", row.id, before=_state(row),
                 after={"revoked_at": row.revoked_at.isoformat()})


def accommodations_of(enrolment) -> list[Accommodation]:
    """Every accommodation of an enrolment, newest first. Callers that show them call ``record_reads``."""
    return list(db.session.scalars(
        select(Accommodation).where(Accommodation.enrolment_id == enrolment.id)
        .order_by(Accommodation.created_at.desc(), Accommodation.id.desc())
    ))


def record_reads(rows, actor, page: str) -> None:
    """Write one ``accommodation.read`` audit entry per accommodation shown to ``actor``."""
    for row in rows:
        audit.record(actor, "accommodation.read", "accommodation", row.id,
                     after={"page": page, "enrolment": row.enrolment_id})


def search_candidates(query: str = "", limit: int = 200) -> list[Enrolment]:
    """Enrolments whose candidate's name or email contains ``query``, by name (no accommodation is read)."""
    statement = select(Enrolment).join(Enrolment.candidate).options(
        selectinload(Enrolment.candidate), selectinload(Enrolment.certification), selectinload(Enrolment.cohort))
    query = (query or "").strip()[:200]
    if query:
        statement = statement.where(or_(User.name.icontains(query, autoescape=True),
                                        User.email.icontains(query, autoescape=True)))
    return list(db.session.scalars(statement.order_by(User.name, Enrolment.id).limit(limit)))
