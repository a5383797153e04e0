"""Assessments (épreuves): which apply to a candidate, and saving them (administrators).

An assessment belongs to a certification version and either to one cohort or, when its cohort is
empty, to every cohort of that certification (and to candidates outside any cohort).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..enrolments.models import Cohort, Enrolment
from ..enrolments.services import required_bloc_codes
from ..evidence.types import DELIVERABLE_TYPES
from ..extensions import db
from ..referential.models import Bloc, Certification, Competence
from .models import Assessment

KINDS = ("written", "oral", "written_oral", "continuous", "internship")
KIND_LABELS = {
    "written": _l("written"),
    "oral": _l("oral"),
    "written_oral": _l("written and oral"),
    "continuous": _l("continuous assessment"),
    "internship": _l("internship"),
}
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


class AssessmentError(ValueError):
    """An assessment that breaks a rule; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class AssessmentData:
    """What an administrator sets on an assessment."""

    bloc: Bloc
    code: str
    title: str
    kind: str = "written"
    deliverable_types: list[str] | None = None
    competences: list[Competence] | None = None
    description: str | None = None
    opens_at: datetime | None = None
    due_at: datetime | None = None
    markers: int = 1
    is_individual: bool = True


def kind_label(code: str):
    return KIND_LABELS.get(code, code)


def assessments_query(certification_id: int, cohort_id: int | None):
    """Assessments of a certification that apply to a cohort (its own and those for every cohort)."""
    scope = Assessment.cohort_id.is_(None)
    if cohort_id is not None:
        scope = or_(scope, Assessment.cohort_id == cohort_id)
    return (
        select(Assessment).join(Assessment.bloc)
        .where(Assessment.certification_id == certification_id, scope)
        .options(selectinload(Assessment.competences), selectinload(Assessment.bloc))
        .order_by(Bloc.rank, Assessment.due_at, Assessment.code, Assessment.id)
    )


def cohort_assessments(cohort: Cohort) -> list[Assessment]:
    return list(db.session.scalars(assessments_query(cohort.certification_id, cohort.id)))


def assessments_for_enrolment(enrolment: Enrolment) -> list[Assessment]:
    """The assessments this candidate is evaluated by: their cohort's, for the blocs they need."""
    required = set(required_bloc_codes(enrolment))
    rows = db.session.scalars(assessments_query(enrolment.certification_id, enrolment.cohort_id))
    return [a for a in rows if a.bloc.code in required]


def applies_to(assessment: Assessment, enrolment: Enrolment) -> bool:
    """Whether ``assessment`` is one of the enrolment's (same certification and cohort, a needed bloc)."""
    return (
        assessment.certification_id == enrolment.certification_id
        and assessment.cohort_id in (None, enrolment.cohort_id)
        and assessment.bloc.code in required_bloc_codes(enrolment)
    )


def _check(data: AssessmentData, certification: Certification, cohort: Cohort | None,
           current: Assessment | None) -> None:
    if data.bloc.certification_id != certification.id:
        raise AssessmentError(_("This bloc belongs to another certification."), "bloc")
    if not CODE_PATTERN.match(data.code or ""):
        raise AssessmentError(
            _("Use 1 to 32 letters, digits, dots, dashes or underscores for the code, e.g. BC05-1."), "code")
    if not (data.title or "").strip():
        raise AssessmentError(_("Give the assessment a title."), "title")
    if data.kind not in KINDS:
        raise AssessmentError(_("Choose a kind of assessment."), "kind")
    unknown = [t for t in data.deliverable_types or [] if t not in DELIVERABLE_TYPES]
    if unknown:
        raise AssessmentError(_("Unknown deliverable types: %(types)s.", types=", ".join(unknown)),
                              "deliverable_types")
    if not data.deliverable_types:
        raise AssessmentError(_("Choose at least one deliverable type."), "deliverable_types")
    if not data.competences:
        raise AssessmentError(_("Choose at least one competence the assessment covers."), "competences")
    if any(c.bloc.certification_id != certification.id for c in data.competences):
        raise AssessmentError(_("Every competence must belong to the assessment's certification."), "competences")
    if data.markers not in (1, 2):
        raise AssessmentError(_("An assessment has one or two markers."), "markers")
    if data.opens_at and data.due_at and data.due_at <= data.opens_at:
        raise AssessmentError(_("The due date must come after the opening date."), "due_at")
    same_code = select(Assessment.id).where(
        Assessment.certification_id == certification.id, Assessment.code == data.code,
        Assessment.cohort_id.is_(None) if cohort is None else Assessment.cohort_id == cohort.id,
    )
    if current is not None:
        same_code = same_code.where(Assessment.id != current.id)
    if db.session.scalar(same_code) is not None:
        raise AssessmentError(_("Another assessment of this cohort already has this code."), "code")


def _snapshot(a: Assessment) -> dict:
    return {
        "code": a.code, "title": a.title, "bloc": a.bloc.code if a.bloc else None, "kind": a.kind,
        "cohort": a.cohort_id, "types": list(a.deliverable_types or []),
        "competences": [c.code for c in a.competences], "markers": a.markers,
        "opens_at": a.opens_at.isoformat() if a.opens_at else None,
        "due_at": a.due_at.isoformat() if a.due_at else None,
    }


def save_assessment(data: AssessmentData, *, certification: Certification, cohort: Cohort | None,
                    assessment: Assessment | None = None, actor=None) -> Assessment:
    """Create an assessment (``assessment`` None) or update one; raises AssessmentError."""
    if cohort is not None and cohort.certification_id != certification.id:
        raise AssessmentError(_("This cohort belongs to another certification."), "scope")
    _check(data, certification, cohort, assessment)
    before = _snapshot(assessment) if assessment is not None else None
    if assessment is None:
        assessment = Assessment(certification=certification)
        db.session.add(assessment)
    assessment.cohort = cohort
    assessment.bloc = data.bloc
    assessment.code = data.code
    assessment.title = data.title.strip()
    assessment.description = (data.description or "").strip() or None
    assessment.kind = data.kind
    assessment.deliverable_types = [t for t in DELIVERABLE_TYPES if t in set(data.deliverable_types)]
    assessment.competences = sorted(set(data.competences), key=lambda c: c.id)
    assessment.opens_at = data.opens_at
    assessment.due_at = data.due_at
    assessment.markers = data.markers
    assessment.is_individual = data.is_individual
    db.session.flush()
    audit.record(actor, "assessment.create" if before is None else "assessment.update", "assessment",
                 assessment.id, before=before, after=_snapshot(assessment))
    return assessment
