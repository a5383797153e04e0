"""Deliverables: a candidate's evidence, in versions of one or more files, tagged to competences.

A version is a draft until submitted; a submitted version is frozen (its files never change). A new
version opens a new draft; earlier versions stay readable.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..assessments.models import Assessment
from ..db import UTCDateTime, utcnow
from ..enrolments.models import Enrolment
from ..extensions import db
from ..files.models import Attachment
from ..referential.models import Competence
from .types import DELIVERABLE_TYPES

_TYPES_SQL = ",".join(f"'{t}'" for t in DELIVERABLE_TYPES)


class Deliverable(db.Model):
    __tablename__ = "deliverable"
    __table_args__ = (CheckConstraint(f"type IN ({_TYPES_SQL})", name="type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: an edit made on a stale copy is refused.
    lock_version: Mapped[int] = mapped_column(default=1)

    enrolment: Mapped[Enrolment] = relationship()
    assessment: Mapped[Assessment | None] = relationship()
    versions: Mapped[list[DeliverableVersion]] = relationship(
        back_populates="deliverable", order_by="DeliverableVersion.number", cascade="all, delete-orphan"
    )
    tags: Mapped[list[CompetenceTag]] = relationship(
        back_populates="deliverable", cascade="all, delete-orphan", order_by="CompetenceTag.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def latest(self) -> DeliverableVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def latest_submitted(self) -> DeliverableVersion | None:
        return next((v for v in reversed(self.versions) if v.submitted_at is not None), None)

    @property
    def status(self) -> str:
        latest = self.latest
        if latest is None or latest.submitted_at is None:
            return "draft" if self.latest_submitted is None else "revising"
        return "submitted"


class DeliverableVersion(db.Model):
    __tablename__ = "deliverable_version"
    __table_args__ = (UniqueConstraint("deliverable_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverable.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The due date that applied at submission (the candidate's own, when an accommodation extends it).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_late: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)

    deliverable: Mapped[Deliverable] = relationship(back_populates="versions")
    files: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.position", cascade="all, delete-orphan",
        primaryjoin="DeliverableVersion.id == Attachment.version_id",
    )

    @property
    def is_frozen(self) -> bool:
        return self.submitted_at is not None


class CompetenceTag(db.Model):
    """The candidate's claim that a deliverable demonstrates a competence, with a justification."""

    __tablename__ = "competence_tag"
    __table_args__ = (UniqueConstraint("deliverable_id", "competence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverable.id", ondelete="CASCADE"), index=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), index=True)
    justification: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deliverable: Mapped[Deliverable] = relationship(back_populates="tags")
    competence: Mapped[Competence] = relationship(lazy="joined")
