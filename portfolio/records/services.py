"""Internships and language certificates: recording them, their files, and the 16-week rule.

The fiche asks for "un stage ... de 16 semaines minimum": one internship, so the rule is met by the
longest single internship, never by adding several short ones together. Weeks are calendar days,
both ends included, divided by seven: 16 weeks is 112 days; 15 weeks and 6 days is not enough.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .. import audit
from ..evidence.types import PROOF_MEDIA_TYPES
from ..extensions import db
from ..files.models import Attachment
from ..files.services import attach, receive_upload
from .models import CEFR_LEVELS, Internship, LanguageCertificate

FRAMEWORKS = ("CEFR",)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")


class RecordError(ValueError):
    """Input that breaks a rule of a record; ``field`` names the input, the message is safe to show."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


# --- the 16-week rule -----------------------------------------------------------------------------

@dataclass(frozen=True)
class InternshipRule:
    """Where an enrolment stands with the internship rule."""

    minimum_weeks: int | None
    longest: Internship | None

    @property
    def longest_days(self) -> int:
        return self.longest.days if self.longest is not None else 0

    @property
    def is_met(self) -> bool:
        return not self.minimum_weeks or self.longest_days >= 7 * self.minimum_weeks


def weeks_and_days(days: int) -> tuple[int, int]:
    """Whole weeks and remaining days of a number of calendar days."""
    return divmod(max(days, 0), 7)


def meets_minimum(internship: Internship) -> bool:
    """Whether this internship alone meets its certification's minimum length."""
    minimum = internship.enrolment.certification.internship_min_weeks
    return not minimum or internship.days >= 7 * minimum


def internships_of(enrolment) -> list[Internship]:
    return list(db.session.scalars(
        select(Internship).where(Internship.enrolment_id == enrolment.id)
        .order_by(Internship.start_date, Internship.id)
    ))


def longest_internship(enrolment) -> Internship | None:
    """The enrolment's longest single internship (the earliest among equals), or None."""
    rows = internships_of(enrolment)
    return max(rows, key=lambda row: (row.days, -row.start_date.toordinal()), default=None)


def longest_internship_weeks(enrolment) -> float:
    """Weeks of the longest single internship recorded; 0 when there is none."""
    longest = longest_internship(enrolment)
    return longest.weeks if longest is not None else 0.0


def internship_rule(enrolment) -> InternshipRule:
    return InternshipRule(enrolment.certification.internship_min_weeks, longest_internship(enrolment))


# --- internships ----------------------------------------------------------------------------------

def _text(value, field: str, max_length: int, required: bool = True) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RecordError(field, f"'{field}' must be text")
    value = value.strip()
    if not value:
        if required:
            raise RecordError(field, f"'{field}' is required")
        return None
    if len(value) > max_length:
        raise RecordError(field, f"'{field}' is longer than {max_length} characters")
    return value


def _check_dates(start: date, end: date) -> None:
    if not isinstance(start, date):
        raise RecordError("start", "the start date is required")
    if not isinstance(end, date):
        raise RecordError("end", "the end date is required")
    if end < start:
        raise RecordError("end", "the end date is before the start date")


def _internship_fields(organisation, start, end, tutor_name, tutor_email) -> dict:
    _check_dates(start, end)
    email = _text(tutor_email, "tutor_email", 254, required=False)
    if email is not None and not EMAIL_RE.match(email):
        raise RecordError("tutor_email", "the tutor's email address is not valid")
    return {
        "organisation": _text(organisation, "organisation", 200),
        "tutor_name": _text(tutor_name, "tutor_name", 200, required=False),
        "tutor_email": email,
        "start_date": start,
        "end_date": end,
    }


def _internship_state(row: Internship) -> dict:
    return {"organisation": row.organisation, "tutor_name": row.tutor_name, "tutor_email": row.tutor_email,
            "start": row.start_date.isoformat(), "end": row.end_date.isoformat()}


def record_internship(enrolment, *, organisation, start: date, end: date, tutor_name=None, tutor_email=None,
                      actor=None) -> Internship:
    """Record an internship of ``enrolment``. Raises RecordError on bad input (nothing changed)."""
    fields = _internship_fields(organisation, start, end, tutor_name, tutor_email)
    row = Internship(enrolment=enrolment, **fields)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "internship.create", "internship", row.id, after=_internship_state(row))
    return row


def update_internship(row: Internship, *, organisation, start: date, end: date, tutor_name=None,
                      tutor_email=None, actor=None) -> Internship:
    """Change an internship. Raises RecordError on bad input (nothing changed)."""
    fields = _internship_fields(organisation, start, end, tutor_name, tutor_email)
    before = _internship_state(row)
    for name, value in fields.items():
        setattr(row, name, value)
    db.session.flush()
    audit.record(actor, "internship.update", "internship", row.id, before=before, after=_internship_state(row))
    return row


def delete_internship(row: Internship, actor=None) -> None:
    """Delete an internship and its agreement files (the stored blobs stay for other users)."""
    audit.record(actor, "internship.delete", "internship", row.id, before=_internship_state(row))
    db.session.delete(row)
    db.session.flush()


def add_agreement(row: Internship, stream, filename: str, actor=None):
    """Attach an internship agreement file (PDF, image or office document).

    Raises FileTooLarge, RefusedFileType or StorageUnavailable (see ``portfolio.files.services``).
    """
    stored, name = receive_upload(stream, filename, PROOF_MEDIA_TYPES)
    position = db.session.scalar(select(func.count()).where(Attachment.internship_id == row.id))
    attachment = attach(stored, name, actor=actor, position=position, internship=row)
    db.session.expire(row, ["agreement"])
    audit.record(actor, "internship.file", "internship", row.id, after={"file": attachment.id, "name": name})
    return attachment


# --- language certificates ------------------------------------------------------------------------

def record_language_certificate(enrolment, *, level, test, on: date, framework="CEFR", language="en",
                                actor=None) -> LanguageCertificate:
    """Record a language certificate. Raises RecordError on bad input (nothing changed)."""
    framework = framework.strip().upper() if isinstance(framework, str) else framework
    if framework not in FRAMEWORKS:
        raise RecordError("framework", "the framework must be CEFR")
    level = level.strip().upper() if isinstance(level, str) else level
    if level not in CEFR_LEVELS:
        raise RecordError("level", "the level must be one of " + ", ".join(CEFR_LEVELS))
    language = language.strip().lower() if isinstance(language, str) else language
    if not isinstance(language, str) or not LANGUAGE_RE.match(language):
        raise RecordError("language", "the language must be an ISO 639 code such as 'en'")
    if not isinstance(on, date):
        raise RecordError("date", "the date is required")
    row = LanguageCertificate(enrolment=enrolment, framework=framework, language=language, level=level,
                              test=_text(test, "test", 120), date=on)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "language_certificate.create", "language_certificate", row.id,
                 after={"framework": framework, "language": language, "level": level, "test": row.test,
                        "date": on.isoformat()})
    return row


def delete_language_certificate(row: LanguageCertificate, actor=None) -> None:
    audit.record(actor, "language_certificate.delete", "language_certificate", row.id,
                 before={"level": row.level, "test": row.test, "date": row.date.isoformat()})
    db.session.delete(row)
    db.session.flush()


def add_certificate_proof(row: LanguageCertificate, stream, filename: str, actor=None):
    """Attach the certificate's proof file. Raises the upload errors of ``portfolio.files.services``."""
    stored, name = receive_upload(stream, filename, PROOF_MEDIA_TYPES)
    position = db.session.scalar(select(func.count()).where(Attachment.language_certificate_id == row.id))
    attachment = attach(stored, name, actor=actor, position=position, language_certificate=row)
    db.session.expire(row, ["proof"])
    audit.record(actor, "language_certificate.file", "language_certificate", row.id,
                 after={"file": attachment.id, "name": name})
    return attachment


def certificates_of(enrolment) -> list[LanguageCertificate]:
    return list(db.session.scalars(
        select(LanguageCertificate).where(LanguageCertificate.enrolment_id == enrolment.id)
        .order_by(LanguageCertificate.date.desc(), LanguageCertificate.id.desc())
    ))
