"""Assessments (épreuves): what each bloc is evaluated by, for a cohort, with due dates."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..enrolments.models import Cohort
from ..extensions import db
from ..referential.models import Bloc, Certification, Competence


class Assessment(db.Model):
    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("cohort_id", "code"),
        CheckConstraint("kind IN ('written','oral','written_oral','continuous','internship')", name="kind"),
        CheckConstraint("markers IN (1, 2)", name="markers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("certification.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    bloc_id: Mapped[int] = mapped_column(ForeignKey("bloc.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="written")
    is_individual: Mapped[bool] = mapped_column(default=True)
    # Deliverable types (contract codes) this assessment expects.
    deliverable_types: Mapped[list] = mapped_column(JSON, default=list)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 2: double marking by two independent assessors.
    markers: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    certification: Mapped[Certification] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    bloc: Mapped[Bloc] = relationship()
    competences: Mapped[list[Competence]] = relationship(secondary="assessment_competence", order_by="Competence.id")

    @property
    def is_double_marked(self) -> bool:
        return self.markers == 2


class AssessmentCompetence(db.Model):
    __tablename__ = "assessment_competence"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), primary_key=True)
