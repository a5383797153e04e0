"""Juries: sessions, their members and candidates, bloc-by-bloc decisions, generated documents,
graduates' follow-up surveys and the verifiable credentials issued for validated blocs.

A decision is never edited: a new decision supersedes it, with its reason; both stay. A validated bloc
is acquired for life (the ledger is the set of current decisions across sessions).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..enrolments.models import Enrolment
from ..extensions import db
from ..files.models import StoredFile
from ..referential.models import Bloc, Certification


class JurySession(db.Model):
    __tablename__ = "jury_session"
    __table_args__ = (
        CheckConstraint("route IN ('training','vae')", name="route"),
        CheckConstraint("status IN ('draft','open','closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("certification.id"), index=True)
    route: Mapped[str] = mapped_column(String(16))
    date: Mapped[date]
    place: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8), default="draft")
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    certification: Mapped[Certification] = relationship()
    members: Mapped[list[JuryMember]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="JuryMember.id"
    )
    candidates: Mapped[list[JuryCandidate]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="JuryCandidate.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class JuryMember(db.Model):
    __tablename__ = "jury_member"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("role IN ('president','secretary','member')", name="role"),
        CheckConstraint("gender IS NULL OR gender IN ('f','m','x')", name="gender"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("jury_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")
    is_professional: Mapped[bool] = mapped_column(default=False)
    is_academic: Mapped[bool] = mapped_column(default=False)  # enseignant-chercheur
    gender: Mapped[str | None] = mapped_column(String(1))

    session: Mapped[JurySession] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class JuryCandidate(db.Model):
    __tablename__ = "jury_candidate"
    __table_args__ = (
        UniqueConstraint("session_id", "enrolment_id"),
        CheckConstraint("attendance IN ('expected','present','absent','excused')", name="attendance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("jury_session.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    # VAE: the time slot of the candidate's defence (soutenance).
    slot_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance: Mapped[str] = mapped_column(String(8), default="expected")

    session: Mapped[JurySession] = relationship(back_populates="candidates")
    enrolment: Mapped[Enrolment] = relationship()


class JuryConflict(db.Model):
    """A member who assessed, accompanied or declares a link with a candidate may not sit for them."""

    __tablename__ = "jury_conflict"
    __table_args__ = (
        UniqueConstraint("member_id", "enrolment_id"),
        CheckConstraint("kind IN ('assessed','accompanied','declared')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_member.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BlocDecision(db.Model):
    __tablename__ = "bloc_decision"
    __table_args__ = (
        CheckConstraint("decision IN ('validated','not_validated')", name="decision"),
        Index("ix_bloc_decision_enrolment_bloc", "enrolment_id", "bloc_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("jury_session.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    bloc_id: Mapped[int] = mapped_column(ForeignKey("bloc.id"))
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    # VAE partial validation: what the candidate should do for a bloc not validated (préconisations).
    recommendations: Mapped[str | None] = mapped_column(Text)
    is_casting_vote: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A revocation is a new decision that supersedes this one, with its reason.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("bloc_decision.id"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    session: Mapped[JurySession] = relationship()
    enrolment: Mapped[Enrolment] = relationship()
    bloc: Mapped[Bloc] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship()

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


class IssuedDocument(db.Model):
    """A generated Word document (minutes, attestation, certification decision), numbered and dated."""

    __tablename__ = "issued_document"
    __table_args__ = (
        UniqueConstraint("number"),
        CheckConstraint("kind IN ('minutes','attestation','certification_decision')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    number: Mapped[str] = mapped_column(String(40))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("jury_session.id"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    issued_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stored_file: Mapped[StoredFile] = relationship()


class FollowUpSurvey(db.Model):
    """A graduate's answer (or staff's record) on employment, 6 months or 2 years after certification."""

    __tablename__ = "follow_up_survey"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "months_after"),
        CheckConstraint("months_after IN (6, 24)", name="months_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    months_after: Mapped[int]
    is_employed: Mapped[bool]
    is_in_target_job: Mapped[bool] = mapped_column(default=False)
    job: Mapped[str | None] = mapped_column(String(120))
    answered_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class IssuedCredential(db.Model):
    """An Open Badges 3.0 credential for a validated bloc, signed as a VC-JWT."""

    __tablename__ = "issued_credential"
    __table_args__ = (UniqueConstraint("public_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("bloc_decision.id"))
    jwt: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decision: Mapped[BlocDecision] = relationship()
