"""Coverage: which competences an enrolment's evidence demonstrates, and where the gaps are.

Rows are the competences of the blocs the candidate needs, grouped by bloc; columns are the
candidate's assessments, then free evidence and (VAE) experiences. A cell counts the deliverables
of that column tagged to the competence and says whether the assessment covers it. Everything is
loaded in a fixed number of queries, whatever the number of deliverables.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..assessments.models import Assessment
from ..assessments.services import assessments_for_enrolment
from ..enrolments.models import Enrolment
from ..enrolments.services import required_bloc_codes
from ..extensions import db
from ..referential.models import Bloc, Competence
from ..vae.models import Experience
from .models import Deliverable

FREE = "free"
EXPERIENCES = "experiences"


@dataclass
class Column:
    key: str  # "a<assessment id>", FREE or EXPERIENCES
    assessment: Assessment | None = None


@dataclass
class Cell:
    count: int = 0
    expected: bool = False  # the column's assessment covers the competence


@dataclass
class CompetenceRow:
    competence: Competence
    cells: list[Cell]
    deliverables: list[Deliverable] = field(default_factory=list)
    experiences: list[Experience] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.deliverables) + len(self.experiences)

    @property
    def is_gap(self) -> bool:
        return self.total == 0

    @property
    def submitted(self) -> int:
        return sum(1 for d in self.deliverables if d.latest_submitted is not None)


@dataclass
class BlocCoverage:
    bloc: Bloc
    rows: list[CompetenceRow]

    @property
    def covered(self) -> int:
        return sum(1 for r in self.rows if not r.is_gap)

    @property
    def percent(self) -> int:
        return round(100 * self.covered / len(self.rows)) if self.rows else 0


@dataclass
class Coverage:
    enrolment: Enrolment
    columns: list[Column]
    blocs: list[BlocCoverage]
    deliverable_count: int
    experience_count: int

    @property
    def covered(self) -> int:
        return sum(b.covered for b in self.blocs)

    @property
    def competence_count(self) -> int:
        return sum(len(b.rows) for b in self.blocs)

    @property
    def gaps(self) -> list[CompetenceRow]:
        return [r for b in self.blocs for r in b.rows if r.is_gap]


def coverage_for(enrolment: Enrolment) -> Coverage:
    """The coverage matrix of ``enrolment`` (a fixed number of queries)."""
    required = required_bloc_codes(enrolment)
    blocs = list(db.session.scalars(
        select(Bloc).where(Bloc.certification_id == enrolment.certification_id, Bloc.code.in_(required))
        .options(selectinload(Bloc.competences)).order_by(Bloc.rank)
    ))
    assessments = assessments_for_enrolment(enrolment)
    deliverables = list(db.session.scalars(
        select(Deliverable).where(Deliverable.enrolment_id == enrolment.id)
        .options(selectinload(Deliverable.tags), selectinload(Deliverable.versions))
        .order_by(Deliverable.created_at, Deliverable.id)
    ))
    experiences = list(db.session.scalars(
        select(Experience).where(Experience.enrolment_id == enrolment.id)
        .options(selectinload(Experience.competences)).order_by(Experience.start_date, Experience.id)
    ))

    columns = [Column(f"a{a.id}", a) for a in assessments]
    known = {a.id for a in assessments}
    if enrolment.route == "vae" or any(d.assessment_id not in known for d in deliverables):
        columns.append(Column(FREE))
    if enrolment.route == "vae" or experiences:
        columns.append(Column(EXPERIENCES))
    index = {c.key: i for i, c in enumerate(columns)}

    rows: dict[int, CompetenceRow] = {}
    result = []
    for bloc in blocs:
        bloc_rows = []
        for competence in bloc.competences:
            row = CompetenceRow(competence, [Cell() for _ in columns])
            rows[competence.id] = row
            bloc_rows.append(row)
        result.append(BlocCoverage(bloc, bloc_rows))
    for assessment in assessments:
        for competence in assessment.competences:
            if competence.id in rows:
                rows[competence.id].cells[index[f"a{assessment.id}"]].expected = True
    for deliverable in deliverables:
        key = f"a{deliverable.assessment_id}" if deliverable.assessment_id in known else FREE
        for tag in deliverable.tags:
            row = rows.get(tag.competence_id)
            if row is not None:
                row.cells[index[key]].count += 1
                row.deliverables.append(deliverable)
    for experience in experiences:
        for mapped in experience.competences:
            row = rows.get(mapped.competence_id)
            if row is not None and experience not in row.experiences:
                row.cells[index[EXPERIENCES]].count += 1
                row.experiences.append(experience)
    return Coverage(enrolment, columns, result, len(deliverables), len(experiences))
