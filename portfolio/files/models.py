"""Stored files (content-addressed blobs) and attachments (a named use of a blob by an object).

A blob is stored once per content (SHA-256) and backend; every use of it is an ``Attachment`` with
the name the user gave it, owned by exactly one object: a deliverable version, a VAE proof, an
internship agreement or a language certificate. The API's file ids are attachment ids.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db

SCAN_STATES = ("not_scanned", "pending", "clean", "infected")


class StoredFile(db.Model):
    __tablename__ = "stored_file"
    __table_args__ = (
        UniqueConstraint("backend", "key"),
        CheckConstraint("backend IN ('local','s3')", name="backend"),
        CheckConstraint("scan_status IN ('not_scanned','pending','clean','infected')", name="scan_status"),
        CheckConstraint("size >= 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    backend: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(127))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    scan_status: Mapped[str] = mapped_column(String(16), default="not_scanned")
    # Facts read from the content once (pages, width, height, duration, fps), for viewers and checks.
    media_info: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    previews: Mapped[list[Preview]] = relationship(
        back_populates="source", cascade="all, delete-orphan", foreign_keys="Preview.source_id"
    )

    @property
    def is_available(self) -> bool:
        """Whether the content may be served (held back while a scan is pending or failed)."""
        return self.scan_status in ("not_scanned", "clean")


class Preview(db.Model):
    """A derived image (thumbnail, PDF page, video poster), built once and stored."""

    __tablename__ = "preview"
    __table_args__ = (UniqueConstraint("source_id", "kind", "page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # thumbnail, page, poster
    page: Mapped[int] = mapped_column(default=0)
    image_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    source: Mapped[StoredFile] = relationship(foreign_keys=[source_id], back_populates="previews")
    image: Mapped[StoredFile] = relationship(foreign_keys=[image_id])


class Attachment(db.Model):
    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN version_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN proof_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN internship_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN language_certificate_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliverable_version.id", ondelete="CASCADE"), index=True)
    proof_id: Mapped[int | None] = mapped_column(ForeignKey("experience_proof.id", ondelete="CASCADE"), index=True)
    internship_id: Mapped[int | None] = mapped_column(ForeignKey("internship.id", ondelete="CASCADE"), index=True)
    language_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("language_certificate.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stored_file: Mapped[StoredFile] = relationship(lazy="joined")

    @property
    def size(self) -> int:
        return self.stored_file.size

    @property
    def media_type(self) -> str:
        return self.stored_file.media_type

    @property
    def sha256(self) -> str:
        return self.stored_file.sha256
