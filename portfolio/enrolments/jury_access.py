"""How jury members reach candidates: through the jury sessions that hold them.

A user with the jury role who sits on a session (whatever its state) sees the enrolments of that
session's candidates, and no other.
"""
from __future__ import annotations

from sqlalchemy import exists, select


def sits_for(user, enrolment) -> bool:
    """Whether ``user`` is a member of a jury session that examines ``enrolment``."""
    if not user.has_role("jury") or enrolment.id is None:
        return False
    from ..extensions import db
    from ..juries.models import JuryCandidate, JuryMember

    return bool(db.session.scalar(select(
        exists().where(JuryCandidate.enrolment_id == enrolment.id, JuryMember.session_id == JuryCandidate.session_id,
                       JuryMember.user_id == user.id)
    )))


def enrolment_condition(user):
    """A SQL condition on Enrolment for the enrolments the user's sessions hold, or None."""
    if not user.has_role("jury"):
        return None
    from ..juries.models import JuryCandidate, JuryMember
    from .models import Enrolment

    return exists().where(JuryCandidate.enrolment_id == Enrolment.id, JuryMember.session_id == JuryCandidate.session_id,
                          JuryMember.user_id == user.id)
