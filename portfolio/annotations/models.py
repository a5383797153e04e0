"""Annotations on the exact file version an assessor looked at, stored as W3C Web Annotation JSON.

The selector is kept as given (a FragmentSelector — ``page=N&viewrect=x,y,w,h`` for PDF regions,
``xywh=`` for images, ``t=start,end`` for video and sound — or a TextQuoteSelector), together with the
parsed position used to check it against the file and to sort and export.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..evidence.models import Deliverable
from ..extensions import db
from ..files.models import Attachment
from ..referential.models import Competence


class Annotation(db.Model):
    __tablename__ = "annotation"
    __table_args__ = (
        CheckConstraint("motivation IN ('assessing','commenting')", name="motivation"),
        CheckConstraint("selector_type IN ('FragmentSelector','TextQuoteSelector','SvgSelector')",
                        name="selector_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverable.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="CASCADE"), index=True)
    marking_id: Mapped[int | None] = mapped_column(ForeignKey("marking.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    motivation: Mapped[str] = mapped_column(String(16), default="commenting")
    body: Mapped[str] = mapped_column(Text)
    competence_id: Mapped[int | None] = mapped_column(ForeignKey("competence.id"))
    selector_type: Mapped[str] = mapped_column(String(24))
    selector: Mapped[dict] = mapped_column(JSON)
    # Parsed position: page (PDF), region (x, y, w, h), time range in seconds (media).
    page: Mapped[int | None]
    start_seconds: Mapped[float | None] = mapped_column(Float)
    end_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    deliverable: Mapped[Deliverable] = relationship()
    attachment: Mapped[Attachment] = relationship()
    author: Mapped[User] = relationship(lazy="joined")
    competence: Mapped[Competence | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": lock_version}
