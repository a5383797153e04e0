"""How jury members reach candidates: through the jury sessions that hold them.

Jury sessions arrive with the juries feature; until then no jury member sits for anyone.
"""
from __future__ import annotations


def sits_for(user, enrolment) -> bool:
    """Whether ``user`` is a member of a jury session that examines ``enrolment``."""
    return False


def enrolment_condition(user):
    """A SQL condition on Enrolment for the enrolments the user's sessions hold, or None."""
    return None
