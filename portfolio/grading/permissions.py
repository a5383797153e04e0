"""Who may grade a deliverable, settle a divergence, and see a marking or an annotation.

Grading is for the assessors assigned to the candidate's enrolment; admins read every marking but
do not grade unless they are assigned too (``admin_bypass=False``). A marking is seen by its author
and admins; once released, by whoever may see the deliverable, except that with double marking the
two markings stay blind (to each other, to the candidate, to everyone else) until both are released.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..enrolments.permissions import is_assigned
from ..evidence.models import Deliverable
from ..extensions import db
from ..policy import can, rule
from .models import Marking

INDEPENDENT_ROLES = ("first", "second")


@rule("grade", Deliverable, admin_bypass=False)
def grade_deliverable(user, deliverable: Deliverable) -> bool:
    """An assessor assigned to the candidate's enrolment grades their deliverables."""
    return is_assigned(user, deliverable.enrolment)


@rule("view_grading", Deliverable)
def view_grading(user, deliverable: Deliverable) -> bool:
    """The grading page: the assigned assessors (and admins, read-only)."""
    return is_assigned(user, deliverable.enrolment)


def is_double_marked(deliverable: Deliverable) -> bool:
    return deliverable.assessment is not None and deliverable.assessment.markers == 2


def blind_lifted(markings: Sequence[Marking], double_marked: bool) -> bool:
    """Whether the markings of one version may be seen by others than their authors.

    Single marking: always (each released marking is visible). Double marking: once the first and
    the second markings are both released.
    """
    if not double_marked:
        return True
    released = [m for m in markings if m.role in INDEPENDENT_ROLES and m.released_at is not None]
    return len(released) >= 2


def marking_visible(user, marking: Marking, markings: Sequence[Marking], double_marked: bool,
                    may_view_deliverable: bool) -> bool:
    """The rule, given what it needs already loaded (pages decide for many markings at once).

    ``markings`` are all the markings of the marking's version.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if marking.assessor_id == user.id or user.has_role("admin"):
        return True
    return may_view_deliverable and marking.released_at is not None and blind_lifted(markings, double_marked)


@rule("view", Marking)
def view_marking(user, marking: Marking) -> bool:
    deliverable = marking.version.deliverable
    markings = db.session.query(Marking).filter(Marking.version_id == marking.version_id).all()
    return marking_visible(user, marking, markings, is_double_marked(deliverable),
                           can(user, "view", deliverable))


def can_settle(user, markings: Sequence[Marking]) -> bool:
    """An agreed grade is recorded by one of the two independent assessors of the version, or an admin."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role("admin"):
        return True
    return any(m.assessor_id == user.id and m.role in INDEPENDENT_ROLES for m in markings)
