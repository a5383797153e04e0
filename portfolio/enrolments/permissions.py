"""Who may see and change enrolments, cohorts and assignments."""
from __future__ import annotations

from sqlalchemy import Select, exists, select

from ..policy import rule
from .models import Assignment, Cohort, Enrolment


def is_assigned(user, enrolment: Enrolment) -> bool:
    return user.has_role("assessor") and any(a.assessor_id == user.id for a in enrolment.assignments)


@rule("view", Enrolment)
def view_enrolment(user, enrolment: Enrolment) -> bool:
    # Referents see accommodations only (their own rules); jury members reach candidates through
    # the sessions that hold them.
    from . import jury_access

    return (
        enrolment.user_id == user.id
        or is_assigned(user, enrolment)
        or jury_access.sits_for(user, enrolment)
    )


@rule("edit", Enrolment)
def edit_enrolment(user, enrolment: Enrolment) -> bool:
    return False  # admins only


@rule("choose_option", Enrolment)
def choose_option(user, enrolment: Enrolment) -> bool:
    return enrolment.user_id == user.id and enrolment.option is None


@rule("view", Cohort)
def view_cohort(user, cohort: Cohort) -> bool:
    return False  # admins only


def visible_enrolments(user) -> Select:
    """A query of the enrolments ``user`` may see, for list pages (one query whatever the size)."""
    from . import jury_access

    query = select(Enrolment)
    if user.has_role("admin"):
        return query
    conditions = [Enrolment.user_id == user.id]
    if user.has_role("assessor"):
        conditions.append(
            exists().where(Assignment.enrolment_id == Enrolment.id, Assignment.assessor_id == user.id)
        )
    jury_condition = jury_access.enrolment_condition(user)
    if jury_condition is not None:
        conditions.append(jury_condition)
    from sqlalchemy import or_

    return query.where(or_(*conditions))
