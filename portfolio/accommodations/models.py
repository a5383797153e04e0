"""Accommodations for candidates with a disability or a temporary condition.

Stored apart from the rest and readable by referents (and admins) only. Only the *effect* (an extended
due date) is shown to assessors and juries. No diagnosis or medical information is ever stored: the
basis is a broad category, and every read of an accommodation is written to the audit log.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..assessments.models import Assessment
from ..db import UTCDateTime, utcnow
from ..enrolments.models import Enrolment
from ..extensions import db


class Accommodation(db.Model):
    __tablename__ = "accommodation"
    __table_args__ = (
        CheckConstraint("kind IN ('extra_time','due_date')", name="kind"),
        CheckConstraint(
            "(kind = 'extra_time' AND extra_time_percent BETWEEN 1 AND 300 AND new_due_at IS NULL)"
            " OR (kind = 'due_date' AND new_due_at IS NOT NULL AND assessment_id IS NOT NULL)",
            name="kind_fields",
        ),
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # extra_time: a share of each assessment's duration (opens_at → due_at), in percent.
    extra_time_percent: Mapped[int | None]
    # due_date: a new due date for one assessment.
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    new_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    # A broad basis (e.g. 'disability', 'temporary'), never a diagnosis.
    basis: Mapped[str] = mapped_column(String(32), default="disability")
    # Practical notes for the organisers (room, equipment); the form warns against medical details.
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship()
    assessment: Mapped[Assessment | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def applies_on(self, day: date) -> bool:
        if self.revoked_at is not None or day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until
