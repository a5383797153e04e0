"""The referential as data: certifications, their routes of access, blocs and competences.

A certification row is one *version* of a fiche. Re-importing a fiche whose content changed adds a
new version and marks it current; the earlier version, its blocs and competences stay untouched, so
evidence and grades that point at a competence always point at the text they were made against.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db

ROUTES = ("training", "apprenticeship", "continuing", "professionalisation", "vae", "individual")
BLOC_KINDS = ("common", "option")


class Certification(db.Model):
    __tablename__ = "certification"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        Index("ix_certification_code_current", "code", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(Text)
    level: Mapped[int | None]
    certifiers: Mapped[list] = mapped_column(JSON, default=list)
    registered_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    internship_min_weeks: Mapped[int | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="builtin")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blocs: Mapped[list[Bloc]] = relationship(
        back_populates="certification", order_by="Bloc.rank", cascade="all, delete-orphan"
    )
    routes: Mapped[list[CertificationRoute]] = relationship(
        back_populates="certification", order_by="CertificationRoute.route", cascade="all, delete-orphan"
    )

    def route(self, name: str) -> CertificationRoute | None:
        return next((r for r in self.routes if r.route == name), None)

    @property
    def options(self) -> list[str]:
        return sorted({b.option for b in self.blocs if b.option})

    def __repr__(self) -> str:
        return f"<Certification {self.code} v{self.version}>"


class CertificationRoute(db.Model):
    """A route of access (voie d'accès) and whether the fiche opens it, with its jury composition."""

    __tablename__ = "certification_route"
    __table_args__ = (
        UniqueConstraint("certification_id", "route"),
        CheckConstraint("route IN ('training','apprenticeship','continuing','professionalisation','vae',"
                        "'individual')", name="route"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("certification.id", ondelete="CASCADE"))
    route: Mapped[str] = mapped_column(String(24))
    is_open: Mapped[bool] = mapped_column(default=False)
    jury_composition: Mapped[str | None] = mapped_column(Text)
    # Machine-readable composition rules, e.g. {"president_academic": true, "secretary": true}.
    jury_rules: Mapped[dict] = mapped_column(JSON, default=dict)

    certification: Mapped[Certification] = relationship(back_populates="routes")


class Bloc(db.Model):
    __tablename__ = "bloc"
    __table_args__ = (
        UniqueConstraint("certification_id", "code"),
        CheckConstraint("kind IN ('common','option')", name="kind"),
        CheckConstraint("(kind = 'option') = (option IS NOT NULL)", name="option_matches_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("certification.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(8))  # BC01
    rank: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8), default="common")
    option: Mapped[str | None] = mapped_column(String(64))
    evaluation_methods: Mapped[str | None] = mapped_column(Text)
    # e.g. [{"type": "language", "framework": "CEFR", "level": "B2", "text": "..."}]
    prerequisites: Mapped[list] = mapped_column(JSON, default=list)

    certification: Mapped[Certification] = relationship(back_populates="blocs")
    competences: Mapped[list[Competence]] = relationship(
        back_populates="bloc", order_by="Competence.rank", cascade="all, delete-orphan"
    )

    @property
    def full_code(self) -> str:
        return f"{self.certification.code}{self.code}"


class Competence(db.Model):
    __tablename__ = "competence"
    __table_args__ = (UniqueConstraint("bloc_id", "rank"), UniqueConstraint("bloc_id", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    bloc_id: Mapped[int] = mapped_column(ForeignKey("bloc.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(12))  # BC05.1
    rank: Mapped[int]
    label: Mapped[str] = mapped_column(Text)

    bloc: Mapped[Bloc] = relationship(back_populates="competences")
