"""Enrolments: enrolling candidates, assigning assessors, and what a candidate still misses."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..extensions import db
from ..referential.models import Certification
from .models import ENROLMENT_ROUTES, Assignment, Cohort, Enrolment


class EnrolmentError(ValueError):
    """An enrolment request that breaks a rule; the message is safe to show."""


ROUTE_LABELS_FR = {
    "training": "formation sous statut d'élève ou d'étudiant",
    "apprenticeship": "contrat d'apprentissage",
    "continuing": "formation continue",
    "professionalisation": "contrat de professionnalisation",
    "vae": "VAE",
    "individual": "candidature individuelle",
}


def check_route(certification: Certification, route: str) -> None:
    """Raise EnrolmentError unless the fiche opens ``route``."""
    row = certification.route(route)
    if route not in ENROLMENT_ROUTES or row is None or not row.is_open:
        raise EnrolmentError(
            f"the route '{route}' is not open for {certification.code}: the fiche gives no jury for it"
        )


def check_option(certification: Certification, option: str | None) -> None:
    if option is not None and option not in certification.options:
        raise EnrolmentError(
            f"unknown option '{option}' for {certification.code}; expected one of: "
            + ", ".join(certification.options)
        )


def enrol(candidate: User, certification: Certification, route: str, option: str | None = None,
          cohort: Cohort | None = None, actor=None) -> Enrolment:
    """Enrol a candidate, or update their existing enrolment in the same certification version."""
    check_route(certification, route)
    check_option(certification, option)
    if cohort is not None and cohort.certification_id != certification.id:
        raise EnrolmentError(f"the cohort '{cohort.name}' is not for {certification.code}")
    if not candidate.has_role("candidate"):
        from ..accounts.models import UserRole

        candidate.role_rows.append(UserRole(role="candidate"))
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == candidate.id, Enrolment.certification_id == certification.id)
    )
    before = None
    if enrolment is None:
        enrolment = Enrolment(candidate=candidate, certification=certification, route=route)
        db.session.add(enrolment)
    else:
        before = {"route": enrolment.route, "option": enrolment.option, "cohort": enrolment.cohort_id}
    enrolment.route = route
    if option is not None:
        enrolment.option = option
    if cohort is not None:
        enrolment.cohort = cohort
    db.session.flush()
    audit.record(actor, "enrolment.save", "enrolment", enrolment.id, before=before,
                 after={"route": route, "option": enrolment.option, "cohort": enrolment.cohort_id})
    return enrolment


def choose_option(enrolment: Enrolment, option: str, actor=None) -> None:
    check_option(enrolment.certification, option)
    before = enrolment.option
    enrolment.option = option
    audit.record(actor, "enrolment.option", "enrolment", enrolment.id, before={"option": before},
                 after={"option": option})


def assign(assessor: User, enrolment: Enrolment, actor=None) -> Assignment:
    """Make ``assessor`` responsible for ``enrolment`` (idempotent)."""
    if not assessor.has_role("assessor"):
        raise EnrolmentError(f"{assessor.email} is not an assessor")
    if enrolment.user_id == assessor.id:
        raise EnrolmentError("a candidate cannot assess their own enrolment")
    existing = next((a for a in enrolment.assignments if a.assessor_id == assessor.id), None)
    if existing is not None:
        return existing
    assignment = Assignment(enrolment=enrolment, assessor=assessor)
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor, "assignment.create", "enrolment", enrolment.id, after={"assessor": assessor.id})
    return assignment


def unassign(assignment: Assignment, actor=None) -> None:
    audit.record(actor, "assignment.delete", "enrolment", assignment.enrolment_id,
                 before={"assessor": assignment.assessor_id})
    db.session.delete(assignment)


def get_or_create_cohort(name: str, certification: Certification, academic_year: str | None = None) -> Cohort:
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
    if cohort is None:
        cohort = Cohort(name=name, certification=certification, academic_year=academic_year)
        db.session.add(cohort)
        db.session.flush()
    elif cohort.certification_id != certification.id:
        raise EnrolmentError(f"the cohort '{name}' belongs to another certification")
    return cohort


# --- what is still missing ------------------------------------------------------------------------

def required_bloc_codes(enrolment: Enrolment) -> list[str]:
    """The blocs the certification rule requires of this enrolment, read from the referential.

    Every common bloc, plus the option bloc of the chosen option; while no option is chosen, every
    option bloc is listed (any one of them, once chosen, will be the one required).
    """
    blocs = enrolment.certification.blocs
    return [b.code for b in blocs if b.kind == "common" or enrolment.option in (None, b.option)]


def validated_bloc_codes(enrolment: Enrolment) -> set[str]:
    """Blocs validated by a jury decision of a closed session (the ledger: acquired for life)."""
    from ..juries.ledger import current_bloc_decisions

    decided = current_bloc_decisions([enrolment.id]).get(enrolment.id, {})
    return {code for code, decision in decided.items() if decision == "validated"}


def internship_weeks(enrolment: Enrolment) -> float:
    """Weeks of the longest single internship recorded (the fiche asks for one internship of
    16 weeks, so several shorter ones are not added together); calendar days, both ends included, / 7."""
    from ..records.services import longest_internship_weeks

    return longest_internship_weeks(enrolment)


def certification_status(enrolment: Enrolment) -> dict:
    """``{"status": "certified" | "not_certified", "missing": [...]}`` as the contract defines it."""
    validated = validated_bloc_codes(enrolment)
    missing = [code for code in required_bloc_codes(enrolment) if code not in validated]
    minimum = enrolment.certification.internship_min_weeks
    if minimum and internship_weeks(enrolment) < minimum:
        missing.append("internship")
    if enrolment.option is None and not missing:
        missing.append("option")
    return {"status": "certified" if not missing else "not_certified", "missing": missing}
