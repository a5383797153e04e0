"""The VAE proof dossier: experiences with their proofs, mapped to competences; self-positioning;
the admissibility decision (recevabilité)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..enrolments.models import Enrolment
from ..extensions import db
from ..files.models import Attachment
from ..referential.models import Competence


class Experience(db.Model):
    __tablename__ = "experience"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        CheckConstraint("fte_percent IS NULL OR (fte_percent BETWEEN 1 AND 100)", name="fte"),
        CheckConstraint("hours IS NULL OR hours > 0", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    hours: Mapped[int | None]
    fte_percent: Mapped[int | None]
    activities: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    proofs: Mapped[list[ExperienceProof]] = relationship(
        back_populates="experience", cascade="all, delete-orphan", order_by="ExperienceProof.id"
    )
    competences: Mapped[list[ExperienceCompetence]] = relationship(
        back_populates="experience", cascade="all, delete-orphan"
    )


class ExperienceProof(db.Model):
    __tablename__ = "experience_proof"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('employer_attestation','contract','credits','published_work','payslip','other')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    experience_id: Mapped[int] = mapped_column(ForeignKey("experience.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    experience: Mapped[Experience] = relationship(back_populates="proofs")
    files: Mapped[list[Attachment]] = relationship(
        cascade="all, delete-orphan", primaryjoin="ExperienceProof.id == Attachment.proof_id"
    )


class ExperienceCompetence(db.Model):
    __tablename__ = "experience_competence"

    experience_id: Mapped[int] = mapped_column(ForeignKey("experience.id", ondelete="CASCADE"), primary_key=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), primary_key=True)
    justification: Mapped[str] = mapped_column(Text, default="")

    experience: Mapped[Experience] = relationship(back_populates="competences")
    competence: Mapped[Competence] = relationship(lazy="joined")


class SelfPositioning(db.Model):
    """The candidate's own view of a competence: yes, partly or no."""

    __tablename__ = "self_positioning"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "competence_id"),
        CheckConstraint("level IN ('yes','partly','no')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"))
    level: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    competence: Mapped[Competence] = relationship(lazy="joined")


class AdmissibilityDecision(db.Model):
    """Recevabilité: the first VAE step. The latest decision is the one in force; all are kept."""

    __tablename__ = "admissibility_decision"
    __table_args__ = (
        CheckConstraint("decision IN ('admissible','not_admissible','incomplete')", name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[date]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decided_by: Mapped[User | None] = relationship()
