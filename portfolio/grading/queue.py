"""The assessor's queue: the latest submitted version of each deliverable of their candidates.

Filtered by cohort, assessment, status (to grade, draft marking, released, divergent) and lateness,
sorted by due date, paged, with the count of every filter value. Two statements whatever the
number of candidates: one grouped count for every facet, one page of rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..assessments.models import Assessment
from ..enrolments.models import Assignment, Cohort, Enrolment
from ..evidence.models import Deliverable, DeliverableVersion
from ..extensions import db
from .models import AgreedGrade, Grade, Marking

QUEUE_STATUSES = ("to_grade", "draft", "released", "divergent")
LATENESS = ("late", "on_time")
PER_PAGE = 25


def divergent_condition(version_id):
    """SQL: the version's two independent markings are released and differ on a competence that no
    agreed grade and no released third marking settles.

    Every inner subquery reaches grades through the markings of the version (an IN on the competence),
    never through a competence's grades, whatever the planner's statistics.
    """
    m1, m2, m3 = aliased(Marking), aliased(Marking), aliased(Marking)
    g1, g2, g3 = aliased(Grade), aliased(Grade), aliased(Grade)
    second_differs = (select(g2.competence_id).join(m2, m2.id == g2.marking_id)
                      .where(m2.version_id == m1.version_id, m2.role == "second", m2.released_at.is_not(None),
                             g2.level != g1.level))
    settled_by_third = (select(g3.competence_id).join(m3, m3.id == g3.marking_id)
                        .where(m3.version_id == m1.version_id, m3.role == "third", m3.released_at.is_not(None)))
    agreed = exists().where(AgreedGrade.version_id == m1.version_id, AgreedGrade.competence_id == g1.competence_id)
    return exists().where(
        m1.version_id == version_id, m1.role == "first", m1.released_at.is_not(None), g1.marking_id == m1.id,
        g1.competence_id.in_(second_differs), g1.competence_id.not_in(settled_by_third), ~agreed,
    )


def queue_subquery(assessor_id: int):
    """One row per deliverable of the assessor's candidates that has a submitted version."""
    later = aliased(DeliverableVersion)
    latest_number = (
        select(func.max(later.number))
        .where(later.deliverable_id == Deliverable.id, later.submitted_at.is_not(None))
        .scalar_subquery()
    )
    mine = aliased(Marking)
    status = case(
        (and_(Assessment.markers == 2, divergent_condition(DeliverableVersion.id)), "divergent"),
        (mine.released_at.is_not(None), "released"),
        (mine.id.is_not(None), "draft"),
        else_="to_grade",
    )
    return (
        select(
            Deliverable.id.label("deliverable_id"), Deliverable.title.label("title"), Deliverable.type.label("type"),
            DeliverableVersion.id.label("version_id"), DeliverableVersion.number.label("number"),
            DeliverableVersion.submitted_at.label("submitted_at"), DeliverableVersion.due_at.label("due_at"),
            DeliverableVersion.is_late.label("is_late"), Enrolment.id.label("enrolment_id"),
            User.name.label("candidate"), Enrolment.cohort_id.label("cohort_id"), Cohort.name.label("cohort"),
            Deliverable.assessment_id.label("assessment_id"), Assessment.code.label("assessment_code"),
            Assessment.title.label("assessment_title"), func.coalesce(Assessment.markers, 1).label("markers"),
            mine.id.label("marking_id"), status.label("status"),
        )
        .select_from(Deliverable)
        .join(Enrolment, Enrolment.id == Deliverable.enrolment_id)
        .join(Assignment, and_(Assignment.enrolment_id == Enrolment.id, Assignment.assessor_id == assessor_id))
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(DeliverableVersion, and_(DeliverableVersion.deliverable_id == Deliverable.id,
                                       DeliverableVersion.number == latest_number))
        .outerjoin(Assessment, Assessment.id == Deliverable.assessment_id)
        .outerjoin(mine, and_(mine.version_id == DeliverableVersion.id, mine.assessor_id == assessor_id))
        .subquery("queue")
    )


@dataclass
class QueueFilters:
    cohort: int | None = None
    assessment: int | None = None
    status: str | None = None
    late: str | None = None  # "late" or "on_time"
    page: int = 1

    def as_args(self, **changes) -> dict:
        values = {"cohort": self.cohort, "assessment": self.assessment, "status": self.status, "late": self.late,
                  "page": self.page, **changes}
        return {k: v for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}


@dataclass
class QueueItem:
    deliverable_id: int
    title: str
    type: str
    version_id: int
    number: int
    submitted_at: datetime | None
    due_at: datetime | None
    is_late: bool
    enrolment_id: int
    candidate: str
    cohort: str | None
    assessment_code: str | None
    assessment_title: str | None
    markers: int
    status: str


@dataclass
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    pages: int
    per_page: int
    filters: QueueFilters
    counts: dict = field(default_factory=dict)


def _matches(row, filters: QueueFilters, skip: str) -> bool:
    if skip != "cohort" and filters.cohort is not None and row.cohort_id != filters.cohort:
        return False
    if skip != "assessment" and filters.assessment is not None and row.assessment_id != filters.assessment:
        return False
    if skip != "status" and filters.status is not None and row.status != filters.status:
        return False
    if skip != "late" and filters.late is not None and bool(row.is_late) != (filters.late == "late"):
        return False
    return True


def _conditions(queue, filters: QueueFilters) -> list:
    conditions = []
    if filters.cohort is not None:
        conditions.append(queue.c.cohort_id == filters.cohort)
    if filters.assessment is not None:
        conditions.append(queue.c.assessment_id == filters.assessment)
    if filters.status is not None:
        conditions.append(queue.c.status == filters.status)
    if filters.late is not None:
        conditions.append(queue.c.is_late.is_(filters.late == "late"))
    return conditions


def assessor_queue(assessor, filters: QueueFilters | None = None, per_page: int = PER_PAGE) -> QueuePage:
    """The page of the assessor's queue that ``filters`` asks for, with the counts of every filter value
    (each counted with the other filters applied)."""
    filters = filters or QueueFilters()
    if filters.status not in (None, *QUEUE_STATUSES):
        filters.status = None
    if filters.late not in (None, *LATENESS):
        filters.late = None
    queue = queue_subquery(assessor.id)
    groups = db.session.execute(
        select(queue.c.status, queue.c.is_late, queue.c.cohort_id, queue.c.cohort, queue.c.assessment_id,
               queue.c.assessment_code, queue.c.assessment_title, func.count().label("n"))
        .group_by(queue.c.status, queue.c.is_late, queue.c.cohort_id, queue.c.cohort, queue.c.assessment_id,
                  queue.c.assessment_code, queue.c.assessment_title)
    ).all()
    counts: dict = {"status": dict.fromkeys(QUEUE_STATUSES, 0), "late": dict.fromkeys(LATENESS, 0),
                    "cohort": {}, "assessment": {}, "all": 0}
    total = 0
    for row in groups:
        counts["all"] += row.n
        if _matches(row, filters, "status"):
            counts["status"][row.status] += row.n
        if _matches(row, filters, "late"):
            counts["late"]["late" if row.is_late else "on_time"] += row.n
        if row.cohort_id is not None:
            entry = counts["cohort"].setdefault(row.cohort_id, {"name": row.cohort, "n": 0})
            entry["n"] += row.n if _matches(row, filters, "cohort") else 0
        if row.assessment_id is not None:
            entry = counts["assessment"].setdefault(row.assessment_id, {
                "name": f"{row.assessment_code} · {row.assessment_title}", "n": 0})
            entry["n"] += row.n if _matches(row, filters, "assessment") else 0
        if _matches(row, filters, ""):
            total += row.n
    pages = max(1, -(-total // per_page))
    filters.page = min(max(1, filters.page), pages)
    rows = db.session.execute(
        select(queue).where(*_conditions(queue, filters))
        .order_by(case((queue.c.due_at.is_(None), 1), else_=0), queue.c.due_at, queue.c.submitted_at,
                  queue.c.deliverable_id)
        .limit(per_page).offset((filters.page - 1) * per_page)
    ).all()
    items = [QueueItem(deliverable_id=r.deliverable_id, title=r.title, type=r.type, version_id=r.version_id,
                       number=r.number, submitted_at=r.submitted_at, due_at=r.due_at, is_late=bool(r.is_late),
                       enrolment_id=r.enrolment_id, candidate=r.candidate, cohort=r.cohort,
                       assessment_code=r.assessment_code, assessment_title=r.assessment_title, markers=r.markers,
                       status=r.status) for r in rows]
    return QueuePage(items=items, total=total, page=filters.page, pages=pages, per_page=per_page, filters=filters,
                     counts=counts)
