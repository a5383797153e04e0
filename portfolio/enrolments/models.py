"""Cohorts, enrolments (a candidate in a certification) and assessor assignments."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db
from ..referential.models import Certification

ENROLMENT_ROUTES = ("training", "apprenticeship", "continuing", "professionalisation", "vae")
OPTIONS = ("scenario-realisation", "production-distribution")


class Cohort(db.Model):
    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("certification.id"))
    academic_year: Mapped[str | None] = mapped_column(String(9))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    certification: Mapped[Certification] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="cohort")


class Enrolment(db.Model):
    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("user_id", "certification_id"),
        CheckConstraint(
            "route IN ('training','apprenticeship','continuing','professionalisation','vae')", name="route"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("certification.id"), index=True)
    route: Mapped[str] = mapped_column(String(24))
    option: Mapped[str | None] = mapped_column(String(64))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[User] = relationship()
    certification: Mapped[Certification] = relationship()
    cohort: Mapped[Cohort | None] = relationship(back_populates="enrolments")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )

    @property
    def assessors(self) -> list[User]:
        return [a.assessor for a in self.assignments]


class Assignment(db.Model):
    """An assessor made responsible for an enrolment."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("enrolment_id", "assessor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="assignments")
    assessor: Mapped[User] = relationship()
