"""Who may see and change deliverables, and who manages assessments.

Whoever may see an enrolment sees its evidence (candidate, their assessors, their jury, admins);
only the candidate acts on their own evidence: admins and assessors read it, never change it.
"""
from __future__ import annotations

from ..assessments.models import Assessment
from ..enrolments.models import Enrolment
from ..policy import can, rule
from .models import Deliverable


@rule("view", Deliverable)
def view_deliverable(user, deliverable: Deliverable) -> bool:
    return can(user, "view", deliverable.enrolment)


@rule("edit", Deliverable, admin_bypass=False)
def edit_deliverable(user, deliverable: Deliverable) -> bool:
    return deliverable.enrolment.user_id == user.id


@rule("add_evidence", Enrolment, admin_bypass=False)
def add_evidence(user, enrolment: Enrolment) -> bool:
    return enrolment.user_id == user.id


@rule("view", Assessment)
def view_assessment(user, assessment: Assessment) -> bool:
    return False  # the assessment pages are for admins; candidates see theirs on their evidence pages


@rule("edit", Assessment)
def edit_assessment(user, assessment: Assessment) -> bool:
    return False  # admins only
