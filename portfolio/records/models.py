"""The internship and the language certificates of an enrolment."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..enrolments.models import Enrolment
from ..extensions import db
from ..files.models import Attachment

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


class Internship(db.Model):
    __tablename__ = "internship"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    tutor_name: Mapped[str | None] = mapped_column(String(200))
    tutor_email: Mapped[str | None] = mapped_column(String(254))
    start_date: Mapped[date]
    end_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    agreement: Mapped[list[Attachment]] = relationship(
        cascade="all, delete-orphan", primaryjoin="Internship.id == Attachment.internship_id"
    )

    @property
    def days(self) -> int:
        """Calendar days, both ends included."""
        return (self.end_date - self.start_date).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7


class LanguageCertificate(db.Model):
    __tablename__ = "language_certificate"
    __table_args__ = (
        CheckConstraint("framework IN ('CEFR')", name="framework"),
        CheckConstraint("level IN ('A1','A2','B1','B2','C1','C2')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    framework: Mapped[str] = mapped_column(String(8), default="CEFR")
    language: Mapped[str] = mapped_column(String(32), default="en")
    level: Mapped[str] = mapped_column(String(2))
    test: Mapped[str] = mapped_column(String(120))
    date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    proof: Mapped[list[Attachment]] = relationship(
        cascade="all, delete-orphan", primaryjoin="LanguageCertificate.id == Attachment.language_certificate_id"
    )
