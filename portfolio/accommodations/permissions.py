"""Who may see and record accommodations: disability referents and admins.

Accommodations are health-related data: they are hidden (404) from everyone else, assessors and
juries included, who only ever see their effect (a due date, through ``effective_due_at``). A
candidate may see their own accommodations' effects (kind, extra time or date, validity), never the
referent's notes.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..enrolments.models import Enrolment
from ..policy import rule
from .models import Accommodation


class AccommodationRegister:
    """Every candidate's accommodations, as one object the policy answers for (the referents' list)."""


REGISTER = AccommodationRegister()


@dataclass(frozen=True)
class CandidateAccommodations:
    """The accommodations of one enrolment."""

    enrolment: Enrolment


def is_referent(user) -> bool:
    return user.has_role("referent")


@rule("view", AccommodationRegister)
def view_register(user, register) -> bool:
    return is_referent(user)


@rule("view", CandidateAccommodations)
def view_candidate(user, record: CandidateAccommodations) -> bool:
    return is_referent(user) or record.enrolment.user_id == user.id


@rule("create", CandidateAccommodations)
def create_for_candidate(user, record: CandidateAccommodations) -> bool:
    return is_referent(user)


@rule("view", Accommodation)
def view_accommodation(user, accommodation: Accommodation) -> bool:
    return is_referent(user) or accommodation.enrolment.user_id == user.id


@rule("view_details", Accommodation)
def view_details(user, accommodation: Accommodation) -> bool:
    """The basis, the notes and who recorded it: referents (and admins) only."""
    return is_referent(user)


@rule("revoke", Accommodation)
def revoke_accommodation(user, accommodation: Accommodation) -> bool:
    return is_referent(user)
