"""Grading: each assessor's marking of a submitted version, a level per competence, and the
settlement of double-marking divergences.

A marking is a draft until its assessor releases it. With double marking, the two markings are blind
to each other until both are released; differing levels on a competence are settled by a third
assessor's marking or by an agreed grade. Every row carries a version: a stale save is refused.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..evidence.models import DeliverableVersion
from ..extensions import db
from ..referential.models import Competence

LEVELS = ("not_acquired", "in_progress", "acquired", "mastered")
ACQUIRED_LEVELS = ("acquired", "mastered")
_LEVELS_SQL = "'not_acquired','in_progress','acquired','mastered'"


class Marking(db.Model):
    __tablename__ = "marking"
    __table_args__ = (
        UniqueConstraint("version_id", "assessor_id"),
        CheckConstraint("role IN ('first','second','third')", name="role"),
        CheckConstraint("mark IS NULL OR (mark >= 0 AND mark <= 20)", name="mark"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("deliverable_version.id", ondelete="CASCADE"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(8), default="first")
    mark: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    feedback: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    lock_version: Mapped[int] = mapped_column(default=1)

    version: Mapped[DeliverableVersion] = relationship()
    assessor: Mapped[User] = relationship()
    grades: Mapped[list[Grade]] = relationship(
        back_populates="marking", cascade="all, delete-orphan", order_by="Grade.competence_id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class Grade(db.Model):
    __tablename__ = "grade"
    __table_args__ = (
        UniqueConstraint("marking_id", "competence_id"),
        CheckConstraint(f"level IN ({_LEVELS_SQL})", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    marking_id: Mapped[int] = mapped_column(ForeignKey("marking.id", ondelete="CASCADE"), index=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    marking: Mapped[Marking] = relationship(back_populates="grades")
    competence: Mapped[Competence] = relationship(lazy="joined")


class AgreedGrade(db.Model):
    """The level both assessors agreed on for a competence where their markings diverged."""

    __tablename__ = "agreed_grade"
    __table_args__ = (
        UniqueConstraint("version_id", "competence_id"),
        CheckConstraint(f"level IN ({_LEVELS_SQL})", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("deliverable_version.id", ondelete="CASCADE"), index=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"))
    level: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    competence: Mapped[Competence] = relationship(lazy="joined")
    settled_by: Mapped[User | None] = relationship()
