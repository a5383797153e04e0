"""Deliverables: creating them, adding files to the draft, tagging competences, submitting, revising.

The rules live here (no request objects): a training-route deliverable answers one of the
candidate's assessments with a type it expects; a VAE candidate may also put forward free evidence.
A submitted version is frozen; a new version opens a new draft. Every change checks the version of
the deliverable it was prepared on (optimistic locking) and is refused when that copy is stale.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..accommodations.services import effective_due_at
from ..assessments.models import Assessment
from ..assessments.services import applies_to
from ..db import utcnow
from ..enrolments.models import Enrolment
from ..enrolments.services import required_bloc_codes
from ..extensions import db
from ..files.models import Attachment
from ..files.services import attach, receive_upload
from ..referential.models import Bloc, Competence
from .models import CompetenceTag, Deliverable, DeliverableVersion
from .types import DELIVERABLE_TYPES, accepted_media_types

MAX_TITLE = 200
MAX_JUSTIFICATION = 2000


class EvidenceError(ValueError):
    """A change the rules refuse; ``status`` is the HTTP status, ``field`` the form field concerned."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidEvidence(EvidenceError):
    """Bad input: an unknown type or competence, an assessment that is not the candidate's (422)."""


class EvidenceConflict(EvidenceError):
    """A change that conflicts with the deliverable's state: frozen, still a draft, empty (409)."""

    status = 409


class StaleDeliverable(EvidenceConflict):
    """The change was prepared on an older copy of the deliverable (409)."""

    def __init__(self):
        super().__init__(_("This deliverable was changed in the meantime (in another window or by another "
                           "request). Nothing was saved: reload the page and try again."))


# --- reading ---------------------------------------------------------------------------------------

def enrolment_deliverables(enrolment: Enrolment) -> list[Deliverable]:
    """The enrolment's deliverables, newest first, with versions, files and tags loaded."""
    return list(db.session.scalars(
        select(Deliverable).where(Deliverable.enrolment_id == enrolment.id)
        .options(selectinload(Deliverable.versions).selectinload(DeliverableVersion.files),
                 selectinload(Deliverable.tags), selectinload(Deliverable.assessment))
        .order_by(Deliverable.created_at.desc(), Deliverable.id.desc())
    ))


def taggable_competences(enrolment: Enrolment) -> list[Competence]:
    """Competences a deliverable of this enrolment may claim: its certification version, the blocs it needs."""
    required = required_bloc_codes(enrolment)
    return list(db.session.scalars(
        select(Competence).join(Competence.bloc)
        .where(Bloc.certification_id == enrolment.certification_id, Bloc.code.in_(required))
        .order_by(Bloc.rank, Competence.rank)
    ))


def candidate_due_at(enrolment: Enrolment, assessment: Assessment | None) -> datetime | None:
    """The candidate's own due date for ``assessment`` (extended when an accommodation says so)."""
    return effective_due_at(enrolment, assessment) if assessment is not None else None


# --- locking ---------------------------------------------------------------------------------------

def check_lock(deliverable: Deliverable, expected_version: int | None) -> None:
    """Raise StaleDeliverable when the caller's copy (``expected_version``) is not the current one."""
    if expected_version is not None and expected_version != deliverable.lock_version:
        raise StaleDeliverable()


def _touch(deliverable: Deliverable) -> None:
    """Mark the deliverable changed: its lock version moves on, and a concurrent change is detected."""
    deliverable.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleDeliverable() from exc


# --- creating --------------------------------------------------------------------------------------

def _check_type_and_assessment(enrolment: Enrolment, type_code: str, assessment: Assessment | None) -> None:
    if type_code not in DELIVERABLE_TYPES:
        raise InvalidEvidence(_("Unknown deliverable type '%(type)s'.", type=type_code), "type")
    if assessment is None:
        if enrolment.route != "vae":
            raise InvalidEvidence(_("Choose the assessment this deliverable is for."), "assessment")
        return
    if not applies_to(assessment, enrolment):
        raise InvalidEvidence(_("This assessment is not one of the candidate's (another cohort, certification "
                                "or bloc)."), "assessment")
    if type_code not in (assessment.deliverable_types or []):
        raise InvalidEvidence(_("The assessment '%(title)s' does not expect this type of deliverable.",
                                title=assessment.title), "type")


def create_deliverable(enrolment: Enrolment, *, title: str, type_code: str, assessment: Assessment | None = None,
                       description: str | None = None, actor=None) -> Deliverable:
    """Create a deliverable with its first (draft) version. Raises InvalidEvidence."""
    title = (title or "").strip()
    if not title:
        raise InvalidEvidence(_("Give the deliverable a title."), "title")
    if len(title) > MAX_TITLE:
        raise InvalidEvidence(_("The title is too long (%(max)d characters at most).", max=MAX_TITLE), "title")
    _check_type_and_assessment(enrolment, type_code, assessment)
    deliverable = Deliverable(enrolment=enrolment, assessment=assessment, title=title, type=type_code,
                              description=(description or "").strip() or None)
    deliverable.versions.append(DeliverableVersion(number=1))
    db.session.add(deliverable)
    db.session.flush()
    audit.record(actor, "deliverable.create", "deliverable", deliverable.id, after={
        "enrolment": enrolment.id, "assessment": assessment.id if assessment else None,
        "type": type_code, "title": title})
    return deliverable


# --- files -----------------------------------------------------------------------------------------

def _open_draft(deliverable: Deliverable) -> DeliverableVersion:
    latest = deliverable.latest
    if latest is None or latest.is_frozen:
        raise EvidenceConflict(_("Version %(number)d has been submitted and is frozen: its files cannot change. "
                                 "Open a new version to change them.", number=latest.number if latest else 0))
    return latest


def add_files(deliverable: Deliverable, files: Iterable[tuple[BinaryIO, str]], *, actor=None,
              expected_version: int | None = None) -> list[Attachment]:
    """Add uploaded files (stream, name) to the draft version.

    Raises StaleDeliverable or EvidenceConflict (a frozen version), and the upload errors of
    ``receive_upload`` (FileTooLarge, RefusedFileType, StorageUnavailable): the caller rolls back.
    """
    check_lock(deliverable, expected_version)
    draft = _open_draft(deliverable)
    files = list(files)
    if not files:
        raise InvalidEvidence(_("Choose at least one file to upload."), "files")
    accepted = accepted_media_types(deliverable.type)
    position = max((a.position for a in draft.files), default=-1) + 1
    added = []
    for stream, filename in files:
        stored, name = receive_upload(stream, filename, accepted)
        added.append(attach(stored, name, actor=actor, position=position, version=draft))
        position += 1
    db.session.expire(draft, ["files"])
    _touch(deliverable)
    audit.record(actor, "deliverable.files_add", "deliverable", deliverable.id,
                 after={"version": draft.number, "files": [[a.id, a.name, a.sha256] for a in added]})
    return added


def remove_file(deliverable: Deliverable, attachment: Attachment, *, actor=None,
                expected_version: int | None = None) -> None:
    """Remove a file from the draft version. Raises StaleDeliverable, EvidenceConflict or InvalidEvidence."""
    check_lock(deliverable, expected_version)
    owner = next((v for v in deliverable.versions if v.id == attachment.version_id), None)
    if owner is None:
        raise InvalidEvidence(_("This file is not part of the deliverable."), "file")
    if owner.is_frozen:
        raise EvidenceConflict(_("Version %(number)d has been submitted and is frozen: its files cannot change.",
                                 number=owner.number))
    audit.record(actor, "deliverable.file_remove", "deliverable", deliverable.id,
                 before={"version": owner.number, "file": [attachment.id, attachment.name, attachment.sha256]})
    owner.files.remove(attachment)
    _touch(deliverable)


# --- competences -----------------------------------------------------------------------------------

def _competence_code(code: str, certification_code: str) -> str:
    code = (code or "").strip().upper()
    if code.startswith(certification_code.upper()):
        code = code[len(certification_code):]
    return code


def _resolve_each(enrolment: Enrolment, items: list[Competence | str]) -> list[Competence]:
    """One competence per item (repeats kept); raises InvalidEvidence naming every item not allowed."""
    allowed = taggable_competences(enrolment)
    by_code = {c.code.upper(): c for c in allowed}
    allowed_ids = {c.id for c in allowed}
    found, unknown = [], []
    for item in items:
        if isinstance(item, Competence):
            competence = item if item.id in allowed_ids else None
            label = item.code if competence is not None else f"{item.bloc.certification.code}{item.code}"
        else:
            competence = by_code.get(_competence_code(str(item), enrolment.certification.code))
            label = str(item)
        if competence is None:
            unknown.append(label)
        found.append(competence)
    if unknown:
        raise InvalidEvidence(
            _("Unknown competences for this candidate: %(codes)s. Use the codes of the blocs they prepare, "
              "e.g. BC05.1.", codes=", ".join(unknown)), "competences")
    return found


def resolve_competences(enrolment: Enrolment, items: Iterable[Competence | str]) -> list[Competence]:
    """The competences named by ``items`` (rows, or codes ``BC05.1`` / ``RNCP41241BC05.1``), in order, once each.

    Raises InvalidEvidence naming every one that is unknown, of another certification (version) or
    of a bloc the enrolment does not need.
    """
    result = []
    for competence in _resolve_each(enrolment, list(items)):
        if competence not in result:
            result.append(competence)
    return result


def set_tags(deliverable: Deliverable, tags: Iterable[tuple[Competence | str, str]], *, actor=None,
             expected_version: int | None = None) -> list[CompetenceTag]:
    """Replace the deliverable's competence tags with ``tags`` ((competence or code, justification) pairs).

    The first justification given for a competence wins. Raises StaleDeliverable, EvidenceConflict
    (the latest version is submitted: open a new version first) or InvalidEvidence (a competence not
    allowed, a justification too long).
    """
    check_lock(deliverable, expected_version)
    if deliverable.latest is not None and deliverable.latest.is_frozen:
        raise EvidenceConflict(_("The deliverable has been submitted: open a new version to change the "
                                 "competences it demonstrates."))
    tags = list(tags)
    competences = _resolve_each(deliverable.enrolment, [item for item, _j in tags])
    wanted: dict[int, str] = {}
    ordered = []
    for (_item, justification), competence in zip(tags, competences, strict=True):
        justification = (justification or "").strip()
        if len(justification) > MAX_JUSTIFICATION:
            raise InvalidEvidence(_("The justification for %(code)s is too long (%(max)d characters at most).",
                                    code=competence.code, max=MAX_JUSTIFICATION), "justification")
        if competence.id not in wanted:
            wanted[competence.id] = justification
            ordered.append(competence)
    before = {t.competence.code: t.justification for t in deliverable.tags}
    for tag in list(deliverable.tags):
        if tag.competence_id not in wanted:
            deliverable.tags.remove(tag)
    current = {t.competence_id: t for t in deliverable.tags}
    for competence in ordered:
        if competence.id in current:
            current[competence.id].justification = wanted[competence.id]
        else:
            deliverable.tags.append(CompetenceTag(competence=competence, justification=wanted[competence.id]))
    _touch(deliverable)
    after = {t.competence.code: t.justification for t in deliverable.tags}
    if after != before:
        audit.record(actor, "deliverable.tags", "deliverable", deliverable.id, before=before, after=after)
    return list(deliverable.tags)


# --- submitting and revising -----------------------------------------------------------------------

def submit(deliverable: Deliverable, *, actor=None, expected_version: int | None = None,
           now: datetime | None = None) -> DeliverableVersion:
    """Submit the latest version: it is frozen, dated, and marked late after the candidate's own due date.

    Raises StaleDeliverable, or EvidenceConflict when the version is already submitted or has no file.
    """
    check_lock(deliverable, expected_version)
    latest = deliverable.latest
    if latest is None or latest.is_frozen:
        raise EvidenceConflict(_("The latest version has already been submitted."))
    if not latest.files:
        raise EvidenceConflict(_("Add at least one file before submitting."))
    latest.submitted_at = now or utcnow()
    latest.due_at = candidate_due_at(deliverable.enrolment, deliverable.assessment)
    latest.is_late = latest.due_at is not None and latest.submitted_at > latest.due_at
    _touch(deliverable)
    audit.record(actor, "deliverable.submit", "deliverable", deliverable.id, after={
        "version": latest.number, "submitted_at": latest.submitted_at.isoformat(),
        "due_at": latest.due_at.isoformat() if latest.due_at else None, "is_late": latest.is_late,
        "files": [a.sha256 for a in latest.files]})
    return latest


def open_new_version(deliverable: Deliverable, *, actor=None, expected_version: int | None = None,
                     note: str | None = None) -> DeliverableVersion:
    """Open a new draft after a submission; earlier versions stay frozen and readable.

    Raises StaleDeliverable, or EvidenceConflict while the latest version is still a draft.
    """
    check_lock(deliverable, expected_version)
    latest = deliverable.latest
    if latest is not None and not latest.is_frozen:
        raise EvidenceConflict(_("The latest version is still a draft: add files to it and submit it first."))
    version = DeliverableVersion(number=(latest.number if latest else 0) + 1, note=(note or "").strip() or None)
    deliverable.versions.append(version)
    _touch(deliverable)
    audit.record(actor, "deliverable.new_version", "deliverable", deliverable.id, after={"version": version.number})
    return version
