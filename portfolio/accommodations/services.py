"""Accommodations: recording them (referents) and applying their effect (everyone else).

Only ``effective_due_at`` is meant for the rest of the platform: it gives the candidate's own due
date for an assessment without revealing why it differs.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

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
