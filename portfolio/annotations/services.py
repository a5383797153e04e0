"""Annotations: creating them on the exact file of a submitted version, editing, deleting, and who sees which.

The rules (no request objects here):

- an annotation targets a file of one of the deliverable's versions, and that version is submitted
  (a draft is refused: 409); its selector is checked against the file (page count and sizes, image
  size, duration, page text for a quote: 422 with the reason);
- only the author edits or deletes it; a change prepared on a stale copy is refused (409);
- an annotation is part of its author's marking of that version (``marking_id``; the marking is opened
  with the first annotation); once that marking is released its annotations are final (409);
- every creation, change and deletion goes to the audit log.

Who sees an annotation is grading's rule (``grading.services.annotations_with_markings``): admins and
the author always; the others once the author's marking is released, except under double marking,
where the two markings stay blind (to each other and to the candidate) until both are released; an
annotation of no marking yet is seen by the other assessors of the candidate, without double marking.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..accounts.models import User
from ..evidence.models import Deliverable, DeliverableVersion
from ..extensions import db
from ..files.models import Attachment
from ..grading.models import Marking
from ..referential.models import Competence
from . import media
from .models import Annotation
from .selectors import Selector, SelectorError, check_selector, parse_selector

MOTIVATIONS = ("assessing", "commenting")
MAX_BODY = 10000


class AnnotationError(ValueError):
    """A change the rules refuse; ``status`` is the HTTP status, ``field`` the form field concerned."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class AnnotationConflict(AnnotationError):
    """A change that conflicts with the state of the file's version (a draft) (409)."""

    status = 409


class StaleAnnotation(AnnotationConflict):
    """The change was prepared on an older copy of the annotation (409)."""

    def __init__(self):
        super().__init__(_("This annotation was changed in the meantime (in another window or by another "
                           "request). Nothing was saved: reload the page and try again."))


# --- the annotated file ----------------------------------------------------------------------------

def deliverable_attachment(deliverable: Deliverable, attachment_id: int) -> Attachment | None:
    """The file ``attachment_id`` if it belongs to one of the deliverable's versions, else None."""
    for version in deliverable.versions:
        for attachment in version.files:
            if attachment.id == attachment_id:
                return attachment
    return None


def version_of(deliverable: Deliverable, attachment: Attachment) -> DeliverableVersion | None:
    return next((v for v in deliverable.versions if v.id == attachment.version_id), None)


def file_facts(attachment: Attachment) -> tuple[str | None, dict]:
    """(kind, media facts) of the attachment's content; the facts are stored on first use."""
    return media.file_kind(attachment.media_type), media.media_info(attachment.stored_file)


def competence_choices(deliverable: Deliverable) -> list[Competence]:
    """The competences an annotation on this deliverable may name first: its tags, then its assessment's."""
    found: list[Competence] = []
    for competence in [t.competence for t in deliverable.tags] + list(
            deliverable.assessment.competences if deliverable.assessment else []):
        if competence not in found:
            found.append(competence)
    return found


def resolve_competence(deliverable: Deliverable, value) -> Competence | None:
    """The competence named by ``value`` (a row, a code ``BC05.1`` or ``RNCP41241BC05.1``, or empty: None).

    Raises AnnotationError when it is not a competence of the blocs the candidate prepares.
    """
    if value is None or value == "":
        return None
    if isinstance(value, Competence) and value in competence_choices(deliverable):
        return value
    from ..evidence.services import InvalidEvidence, resolve_competences

    try:
        (competence,) = resolve_competences(deliverable.enrolment, [value])
    except InvalidEvidence:
        label = value.code if isinstance(value, Competence) else str(value)
        raise AnnotationError(_("Unknown competence “%(code)s” for this candidate: use a code such as BC05.1.",
                                code=label), "competence") from None
    return competence


def checked_selector(attachment: Attachment, raw) -> Selector:
    """The selector ``raw`` parsed and checked against ``attachment``'s content; raises AnnotationError."""
    kind, info = file_facts(attachment)
    try:
        selector = parse_selector(raw)
        return check_selector(selector, kind, info, lambda page: media.page_text(attachment.stored_file, page))
    except SelectorError as exc:
        raise AnnotationError(str(exc), exc.field or "selector") from None


def _clean_body(body) -> str:
    if not isinstance(body, str) or not body.strip():
        raise AnnotationError(_("Write a comment."), "comment")
    body = body.strip()
    if len(body) > MAX_BODY:
        raise AnnotationError(_("The comment is too long (at most %(limit)d characters).", limit=MAX_BODY),
                              "comment")
    return body


def snapshot(annotation: Annotation) -> dict:
    """The annotation as recorded in the audit log."""
    return {"deliverable": annotation.deliverable_id, "file": annotation.attachment_id,
            "marking": annotation.marking_id, "motivation": annotation.motivation, "body": annotation.body,
            "competence": annotation.competence.code if annotation.competence else None,
            "selector": annotation.selector, "lock_version": annotation.lock_version}


# --- changing ------------------------------------------------------------------------------------------

def create_annotation(deliverable: Deliverable, attachment: Attachment, *, author: User, selector,
                      body: str, competence=None, motivation: str | None = None) -> Annotation:
    """Annotate ``attachment`` (a file of a submitted version of ``deliverable``) as ``author``.

    ``selector`` is a W3C selector object; ``competence`` a row or code (optional); ``motivation``
    ``assessing`` or ``commenting`` (default: assessing when a competence is named); the author's marking
    of the version is opened when needed. Raises AnnotationError (422: a file of another deliverable, a
    bad or out-of-bounds selector, an unknown competence, an empty comment) or AnnotationConflict (409: a
    draft version, or the author's marking of it already released).
    """
    if attachment is None or deliverable_attachment(deliverable, attachment.id) is None:
        raise AnnotationError(_("This file is not one of this deliverable's files."), "source")
    version = version_of(deliverable, attachment)
    if version is None or not version.is_frozen:
        raise AnnotationConflict(_("This version is a draft: it can be annotated once the candidate submits it."))
    body = _clean_body(body)
    competence_row = resolve_competence(deliverable, competence)
    if motivation in (None, ""):
        motivation = "assessing" if competence_row is not None else "commenting"
    if motivation not in MOTIVATIONS:
        raise AnnotationError(_("The motivation must be assessing or commenting."), "motivation")
    parsed = checked_selector(attachment, selector)
    marking = _open_marking(version, author)
    annotation = Annotation(
        deliverable_id=deliverable.id, attachment_id=attachment.id, marking_id=marking.id if marking else None,
        author_id=author.id, motivation=motivation, body=body, competence=competence_row,
        selector_type=parsed.type, selector=parsed.data, page=parsed.page, start_seconds=parsed.start,
        end_seconds=parsed.end)
    annotation.author = author
    db.session.add(annotation)
    db.session.flush()
    audit.record(author, "annotation.create", "annotation", annotation.id, after=snapshot(annotation))
    return annotation


def _open_marking(version: DeliverableVersion, author: User) -> Marking:
    """The author's marking of ``version`` (opened now if needed); AnnotationConflict once it is released."""
    from ..grading.services import GradingError, annotation_marking

    try:
        marking = annotation_marking(version, author, actor=author)
    except GradingError as exc:
        raise AnnotationConflict(str(exc)) from None
    if marking.released_at is not None:
        raise AnnotationConflict(_("Your marking of this version has been released: its annotations are final."))
    return marking


def _check_open(annotation: Annotation) -> None:
    """Refuse a change to an annotation whose marking has been released (AnnotationConflict, 409)."""
    marking = db.session.get(Marking, annotation.marking_id) if annotation.marking_id else None
    if marking is None:
        attachment = db.session.get(Attachment, annotation.attachment_id)
        marking = db.session.scalar(select(Marking).where(
            Marking.version_id == attachment.version_id, Marking.assessor_id == annotation.author_id))
    if marking is not None and marking.released_at is not None:
        raise AnnotationConflict(_("This annotation's marking has been released: its annotations are final."))


_UNCHANGED = object()


def check_lock(annotation: Annotation, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != annotation.lock_version:
        raise StaleAnnotation()


def update_annotation(annotation: Annotation, *, actor: User, body=_UNCHANGED, competence=_UNCHANGED,
                      motivation=_UNCHANGED, expected_version: int | None = None) -> Annotation:
    """Change the comment, the competence (None removes it) or the motivation; the position stays.

    Raises StaleAnnotation (409) when ``expected_version`` is not the current one, AnnotationError (422).
    """
    check_lock(annotation, expected_version)
    _check_open(annotation)
    before = snapshot(annotation)
    # Everything is checked before anything changes: one flush, one version step.
    changes: dict = {}
    if body is not _UNCHANGED:
        changes["body"] = _clean_body(body)
    if competence is not _UNCHANGED:
        changes["competence"] = resolve_competence(annotation.deliverable, competence)
    if motivation is not _UNCHANGED:
        if motivation not in MOTIVATIONS:
            raise AnnotationError(_("The motivation must be assessing or commenting."), "motivation")
        changes["motivation"] = motivation
    for name, value in changes.items():
        setattr(annotation, name, value)
    if not db.session.is_modified(annotation):
        return annotation
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleAnnotation() from exc
    after = snapshot(annotation)
    if after != before:
        audit.record(actor, "annotation.update", "annotation", annotation.id, before=before, after=after)
    return annotation


def delete_annotation(annotation: Annotation, *, actor: User, expected_version: int | None = None) -> None:
    """Delete the annotation (its author only: the policy checks). Raises StaleAnnotation (409)."""
    check_lock(annotation, expected_version)
    _check_open(annotation)
    before = snapshot(annotation)
    annotation_id = annotation.id
    db.session.delete(annotation)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleAnnotation() from exc
    audit.record(actor, "annotation.delete", "annotation", annotation_id, before=before)


# --- who sees what ---------------------------------------------------------------------------------------
# The rules belong to grading (an annotation is part of its author's marking): see
# ``grading.services.annotations_with_markings``.

def visible_annotations(user, deliverable: Deliverable, attachment: Attachment | None = None) -> list[Annotation]:
    """The annotations of ``deliverable`` (of one file if given) that ``user`` sees, in reading order."""
    from ..grading.services import visible_annotations as grading_visible

    annotations = grading_visible(deliverable, user)
    if attachment is not None:
        annotations = [a for a in annotations if a.attachment_id == attachment.id]
        annotations.sort(key=lambda a: (a.page or 0, a.start_seconds or 0.0, a.id))
    return annotations


def annotation_visible_to(user, annotation: Annotation) -> bool:
    """Whether ``user`` sees ``annotation`` (blind double marking; released markings only for others)."""
    from ..grading.services import can_see_annotation

    return can_see_annotation(user, annotation)
