"""Grading: each assessor's marking of a submitted version, released to the candidate; double marking.

The rules live here (no request objects). A marking is made on a submitted (frozen) version only;
it holds a level and a comment per competence the deliverable claims or its assessment covers, an
optional mark out of 20 and overall feedback. It is a draft until released; then it is final, the
candidate is told by email and sees it. Every save names the marking's ``lock_version`` it was
prepared on: a stale save is refused (``StaleMarking``, 409) and changes nothing.

Double marking (``assessment.markers == 2``): the first two assessors to open a marking are the
independent ones (roles ``first`` and ``second``), blind to each other until both have released; a
third marking (role ``third``) settles the competences where their levels differ, or one of them
(or an admin) records an agreed grade. Every grade and release goes to the audit log.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..db import utcnow
from ..evidence.models import Deliverable, DeliverableVersion
from ..extensions import db
from ..referential.models import Bloc, Competence
from .models import LEVELS, AgreedGrade, Grade, Marking
from .permissions import blind_lifted, can_settle, is_double_marked, marking_visible

MAX_COMMENT = 4000
MAX_FEEDBACK = 20000
ROLES = ("first", "second", "third")
UNSET = object()


class GradingError(ValueError):
    """A grading request the rules refuse; ``status`` is the HTTP status, ``field`` the input concerned."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidGrade(GradingError):
    """Bad input: a level not on the scale, a competence that is not the deliverable's, a mark off 0–20."""


class GradingConflict(GradingError):
    """A change that conflicts with the state: a draft version, a released marking (409)."""

    status = 409


class StaleMarking(GradingConflict):
    """The save was prepared on an older copy of the marking (409): nothing was saved."""

    def __init__(self):
        super().__init__(_("This marking was saved in the meantime (in another window or by another request). "
                           "Nothing was saved: reload the page, check the saved grades and try again."))


@dataclass
class GradeInput:
    """One row of a save: a competence (row or code), its level (None: no grade) and comment."""

    competence: Competence | str
    level: str | None
    comment: str = ""


# --- reading ---------------------------------------------------------------------------------------

def gradable_competences(deliverable: Deliverable) -> list[Competence]:
    """The competences a marking grades: those the deliverable is tagged to, then those its assessment
    covers, in the referential's order, once each."""
    ids = {t.competence_id for t in deliverable.tags}
    if deliverable.assessment is not None:
        ids |= {c.id for c in deliverable.assessment.competences}
    if not ids:
        return []
    return list(db.session.scalars(
        select(Competence).join(Competence.bloc).where(Competence.id.in_(ids)).order_by(Bloc.rank, Competence.rank)
    ))


def submitted_versions(deliverable: Deliverable) -> list[DeliverableVersion]:
    return [v for v in deliverable.versions if v.submitted_at is not None]


def gradable_version(deliverable: Deliverable, number: int | None = None) -> DeliverableVersion:
    """The version to grade: ``number``, or the latest submitted one.

    Raises GradingConflict when it is a draft or nothing has been submitted, InvalidGrade for a
    version that does not exist.
    """
    if number is None:
        version = deliverable.latest_submitted
        if version is None:
            raise GradingConflict(_("Nothing has been submitted yet: a draft version cannot be graded."),
                                  "version")
        return version
    version = next((v for v in deliverable.versions if v.number == number), None)
    if version is None:
        raise InvalidGrade(_("This deliverable has no version %(number)d.", number=number), "version")
    if version.submitted_at is None:
        raise GradingConflict(_("Version %(number)d is still a draft: only a submitted version can be graded.",
                                number=number), "version")
    return version


def version_markings(version: DeliverableVersion) -> list[Marking]:
    """Every marking of the version, oldest first, with its grades and assessor."""
    return list(db.session.scalars(
        select(Marking).where(Marking.version_id == version.id)
        .options(selectinload(Marking.grades), selectinload(Marking.assessor))
        .order_by(Marking.id).execution_options(populate_existing=True)
    ))


def marking_of(version: DeliverableVersion, assessor) -> Marking | None:
    return db.session.scalar(select(Marking).where(Marking.version_id == version.id,
                                                   Marking.assessor_id == assessor.id))


# --- effective levels and divergences -------------------------------------------------------------

@dataclass
class Divergence:
    """A competence of a double-marked version, as the first, second and third assessors graded it."""

    competence: Competence
    first: str | None
    second: str | None
    third: str | None
    agreed: AgreedGrade | None

    @property
    def is_divergent(self) -> bool:
        return len({lvl for lvl in (self.first, self.second) if lvl is not None}) > 1

    @property
    def settled_level(self) -> str | None:
        """The level that counts: the common level, else the agreed grade, else the third assessor's."""
        if not self.is_divergent:
            return self.first or self.second
        if self.agreed is not None:
            return self.agreed.level
        return self.third

    @property
    def is_settled(self) -> bool:
        return self.settled_level is not None


def _role_grades(markings: Sequence[Marking], role: str, released_only: bool = True) -> dict[int, Grade]:
    marking = next((m for m in markings if m.role == role and (m.released_at or not released_only)), None)
    return {g.competence_id: g for g in marking.grades} if marking is not None else {}


def agreed_grades(version: DeliverableVersion) -> dict[int, AgreedGrade]:
    rows = db.session.scalars(select(AgreedGrade).where(AgreedGrade.version_id == version.id))
    return {a.competence_id: a for a in rows}


def divergences(version: DeliverableVersion, markings: Sequence[Marking] | None = None,
                agreed: dict[int, AgreedGrade] | None = None) -> list[Divergence]:
    """Every competence the two independent markings graded, once both are released; [] before."""
    markings = version_markings(version) if markings is None else markings
    if not blind_lifted(markings, True):
        return []
    agreed = agreed_grades(version) if agreed is None else agreed
    first, second = _role_grades(markings, "first"), _role_grades(markings, "second")
    third = _role_grades(markings, "third")
    competences = {g.competence_id: g.competence for g in [*first.values(), *second.values()]}
    rows = [
        Divergence(competence=c, first=first[cid].level if cid in first else None,
                   second=second[cid].level if cid in second else None,
                   third=third[cid].level if cid in third else None, agreed=agreed.get(cid))
        for cid, c in competences.items()
    ]
    return sorted(rows, key=lambda d: (d.competence.bloc.rank, d.competence.rank))


def effective_levels(version: DeliverableVersion, markings: Sequence[Marking] | None = None) -> dict[int, str | None]:
    """Competence id → the level the version's released grading gives it (None: an unsettled divergence).

    Single marking: the most recently released marking's grade. Double marking: nothing until both
    independent markings are released; then the common level, the agreed grade or the third's level.
    The same rule, set-based, decides the bloc statuses (``status.py``).
    """
    markings = version_markings(version) if markings is None else markings
    if is_double_marked(version.deliverable):
        return {d.competence.id: d.settled_level for d in divergences(version, markings)}
    levels: dict[int, str | None] = {}
    released = sorted((m for m in markings if m.released_at is not None), key=lambda m: (m.released_at, m.id))
    for marking in released:
        for grade in marking.grades:
            levels[grade.competence_id] = grade.level
    return levels


# --- opening a marking -----------------------------------------------------------------------------

def open_marking(version: DeliverableVersion, assessor, *, actor=None) -> tuple[Marking, bool]:
    """The assessor's marking of ``version``, opened when it does not exist yet: (marking, created).

    The first two markings of a version are ``first`` and ``second``, a third one ``third`` (with
    double marking, the third assessor who settles divergences). Raises GradingConflict for a draft
    version or when three assessors have already marked it.
    """
    if version.submitted_at is None:
        raise GradingConflict(_("Version %(number)d is still a draft: only a submitted version can be graded.",
                                number=version.number), "version")
    existing = marking_of(version, assessor)
    if existing is not None:
        return existing, False
    # Serialise the roles of concurrent openings on the same version (a row lock on PostgreSQL).
    db.session.execute(select(DeliverableVersion.id).where(DeliverableVersion.id == version.id).with_for_update())
    count = len(db.session.scalars(select(Marking.id).where(Marking.version_id == version.id)).all())
    if count >= len(ROLES):
        raise GradingConflict(_("Three assessors have already marked this version."), "version")
    marking = Marking(version_id=version.id, assessor_id=assessor.id, role=ROLES[count], feedback="")
    db.session.add(marking)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # the same assessor opened it in another request meanwhile
        raise StaleMarking() from exc
    audit.record(actor or assessor, "marking.open", "marking", marking.id,
                 after={"version": version.id, "assessor": assessor.id, "role": marking.role})
    return marking, True


# --- saving ----------------------------------------------------------------------------------------

def _competence_code(value: str, certification_code: str) -> str:
    code = (value or "").strip().upper()
    if code.startswith(certification_code.upper()):
        code = code[len(certification_code):]
    return code


def resolve_competence(deliverable: Deliverable, item: Competence | str,
                       allowed: list[Competence]) -> Competence:
    """The competence ``item`` names, if this deliverable's marking grades it; InvalidGrade otherwise."""
    certification = deliverable.enrolment.certification
    if isinstance(item, Competence):
        found = next((c for c in allowed if c.id == item.id), None)
        label = item.code
    else:
        code = _competence_code(str(item), certification.code)
        found = next((c for c in allowed if c.code.upper() == code), None)
        label = str(item)
    if found is not None:
        return found
    in_certification = isinstance(item, Competence) and item.bloc.certification_id == certification.id
    if not isinstance(item, Competence):
        in_certification = db.session.scalar(
            select(Competence.id).join(Competence.bloc)
            .where(Bloc.certification_id == certification.id, Competence.code == code)
        ) is not None
    if in_certification:
        raise InvalidGrade(_("%(code)s is neither claimed by this deliverable nor covered by its assessment: "
                             "it cannot be graded here.", code=label), "competence")
    raise InvalidGrade(_("%(code)s is not a competence of %(certification)s.", code=label,
                         certification=certification.code), "competence")


def parse_mark(value) -> Decimal | None:
    """A mark out of 20 (number or text, a decimal comma accepted) or None; InvalidGrade otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidGrade(_("The mark must be a number between 0 and 20."), "mark")
    try:
        mark = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidGrade(_("The mark must be a number between 0 and 20."), "mark") from None
    if not mark.is_finite() or mark < 0 or mark > 20:
        raise InvalidGrade(_("The mark must be a number between 0 and 20."), "mark")
    return mark.quantize(Decimal("0.01"))


def _grade_state(grade: Grade, marking: Marking) -> dict:
    return {"marking": marking.id, "version": marking.version_id, "competence": grade.competence.code,
            "level": grade.level, "comment": grade.comment}


def check_lock(marking: Marking, expected_lock_version: int | None) -> None:
    """Raise StaleMarking when the caller's copy (``expected_lock_version``) is not the current one."""
    if expected_lock_version is not None and int(expected_lock_version) != marking.lock_version:
        raise StaleMarking()


def _touch(marking: Marking) -> None:
    """Claim the marking: its lock version moves on now, so that a concurrent save is detected."""
    marking.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleMarking() from exc


def save_marking(marking: Marking, grades: Iterable[GradeInput], *, mark=UNSET, feedback=UNSET,
                 expected_lock_version: int | None = None, actor=None, is_new: bool = False) -> Marking:
    """Set the levels and comments of ``grades`` (a level of None removes that grade), the mark and feedback.

    Competences not named keep their grade. Raises StaleMarking, GradingConflict (a released marking
    is final) or InvalidGrade (a level off the scale, a competence not graded here, a mark off 0–20,
    a text too long); nothing is changed then. ``is_new``: the marking was opened in this transaction
    (its insertion already claimed it).
    """
    check_lock(marking, expected_lock_version)
    if marking.released_at is not None:
        raise GradingConflict(_("This marking has been released: it can no longer change."))
    deliverable = marking.version.deliverable
    allowed = gradable_competences(deliverable)
    wanted: dict[int, tuple[Competence, str | None, str]] = {}
    for row in grades:
        level = row.level or None
        if level is not None and level not in LEVELS:
            raise InvalidGrade(_("'%(level)s' is not a level of the scale (%(levels)s).", level=level,
                                 levels=", ".join(LEVELS)), "level")
        competence = resolve_competence(deliverable, row.competence, allowed)
        comment = (row.comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise InvalidGrade(_("The comment on %(code)s is too long (%(max)d characters at most).",
                                 code=competence.code, max=MAX_COMMENT), "comment")
        wanted[competence.id] = (competence, level, comment)
    new_mark = marking.mark if mark is UNSET else parse_mark(mark)
    new_feedback = marking.feedback if feedback is UNSET else (feedback or "").strip()
    if len(new_feedback or "") > MAX_FEEDBACK:
        raise InvalidGrade(_("The feedback is too long (%(max)d characters at most).", max=MAX_FEEDBACK), "feedback")

    if not is_new:
        _touch(marking)
    current = {g.competence_id: g for g in marking.grades}
    for competence_id, (competence, level, comment) in wanted.items():
        grade = current.get(competence_id)
        if grade is None and level is not None:
            grade = Grade(competence=competence, level=level, comment=comment)
            marking.grades.append(grade)
            db.session.flush()
            audit.record(actor, "grade.create", "grade", grade.id, after=_grade_state(grade, marking))
        elif grade is not None and level is None:
            audit.record(actor, "grade.delete", "grade", grade.id, before=_grade_state(grade, marking))
            marking.grades.remove(grade)
        elif grade is not None and (grade.level, grade.comment) != (level, comment):
            before = _grade_state(grade, marking)
            grade.level, grade.comment = level, comment
            audit.record(actor, "grade.update", "grade", grade.id, before=before, after=_grade_state(grade, marking))
    before = {"mark": _mark_text(marking.mark), "feedback": marking.feedback}
    after = {"mark": _mark_text(new_mark), "feedback": new_feedback}
    if before != after:
        marking.mark, marking.feedback = new_mark, new_feedback
        audit.record(actor, "marking.update", "marking", marking.id, before=before, after=after)
    db.session.flush()
    return marking


def _mark_text(mark: Decimal | None) -> str | None:
    return None if mark is None else f"{mark:.2f}"


def missing_grades(marking: Marking) -> list[Competence]:
    graded = {g.competence_id for g in marking.grades}
    return [c for c in gradable_competences(marking.version.deliverable) if c.id not in graded]


def release_marking(marking: Marking, *, expected_lock_version: int | None = None, actor=None,
                    notify: bool = True) -> Marking:
    """Release the marking: final from now on; the candidate is told by email once they may see it.

    Raises StaleMarking, GradingConflict (already released) or InvalidGrade (a competence not graded).
    """
    check_lock(marking, expected_lock_version)
    if marking.released_at is not None:
        raise GradingConflict(_("This marking has already been released."))
    missing = missing_grades(marking)
    if missing:
        raise InvalidGrade(_("Give a level for every competence before releasing: %(codes)s.",
                             codes=", ".join(c.code for c in missing)), "level")
    marking.released_at = utcnow()
    _touch(marking)
    audit.record(actor, "marking.release", "marking", marking.id, before={"released_at": None}, after={
        "released_at": marking.released_at.isoformat(), "version": marking.version_id, "role": marking.role,
        "mark": _mark_text(marking.mark), "grades": {g.competence.code: g.level for g in marking.grades}})
    if notify:
        from .notify import notify_release

        notify_release(marking)
    return marking


def grade(version: DeliverableVersion, assessor, grades: Iterable[GradeInput], *, mark=UNSET, feedback=UNSET,
          release: bool = False, expected_lock_version: int | None = None, actor=None) -> tuple[Marking, bool]:
    """Open (when needed) the assessor's marking of ``version``, save it and release it if asked.

    ``expected_lock_version`` 0 means "no marking yet": refused (StaleMarking) when one exists.
    Returns (marking, created). Raises the errors of ``open_marking``, ``save_marking`` and
    ``release_marking``; the caller rolls back.
    """
    marking, created = open_marking(version, assessor, actor=actor)
    if expected_lock_version is not None and int(expected_lock_version) == 0:
        if not created:
            raise StaleMarking()
        expected_lock_version = None
    elif created:
        expected_lock_version = None
    save_marking(marking, grades, mark=mark, feedback=feedback, expected_lock_version=expected_lock_version,
                 actor=actor, is_new=created)
    if release:
        release_marking(marking, actor=actor)
    return marking, created


# --- settling a divergence -------------------------------------------------------------------------

def record_agreed_grade(version: DeliverableVersion, competence: Competence | str, level: str, comment: str = "",
                        *, actor) -> AgreedGrade:
    """Record the level the two assessors agreed on for a divergent competence of ``version``.

    Raises GradingError (403) when ``actor`` is neither of the two assessors nor an admin,
    GradingConflict when both markings are not released yet, the competence does not diverge, or it
    is settled already, and InvalidGrade for a level off the scale or a comment too long.
    """
    markings = version_markings(version)
    if not can_settle(actor, markings):
        error = GradingError(_("Only the two assessors of this double marking (or an administrator) record "
                               "an agreed grade."))
        error.status = 403
        raise error
    if level not in LEVELS:
        raise InvalidGrade(_("'%(level)s' is not a level of the scale (%(levels)s).", level=level,
                             levels=", ".join(LEVELS)), "level")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidGrade(_("The comment is too long (%(max)d characters at most).", max=MAX_COMMENT), "comment")
    if not is_double_marked(version.deliverable) or not blind_lifted(markings, True):
        raise GradingConflict(_("An agreed grade settles a double marking once both markings are released."))
    rows = divergences(version, markings)
    code = competence.code if isinstance(competence, Competence) else _competence_code(
        str(competence), version.deliverable.enrolment.certification.code)
    row = next((d for d in rows if d.competence.code.upper() == code.upper()), None)
    if row is None or not row.is_divergent:
        raise GradingConflict(_("The two assessors gave %(code)s the same level: there is nothing to settle.",
                                code=code), "competence")
    if row.is_settled:
        raise GradingConflict(_("The levels given to %(code)s have already been settled.", code=code), "competence")
    agreed = AgreedGrade(version_id=version.id, competence_id=row.competence.id, level=level, comment=comment,
                         settled_by_id=actor.id)
    db.session.add(agreed)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise GradingConflict(_("The levels given to %(code)s have already been settled.", code=code)) from exc
    audit.record(actor, "agreed_grade.create", "agreed_grade", agreed.id, before={
        "first": row.first, "second": row.second}, after={
        "version": version.id, "competence": row.competence.code, "level": level, "comment": comment})
    return agreed


# --- what a viewer sees ----------------------------------------------------------------------------

@dataclass
class VersionGrading:
    """What ``viewer`` may see of one version's grading."""

    version: DeliverableVersion
    markings: list[Marking]  # visible to the viewer
    all_markings: list[Marking]
    is_double: bool
    is_blind_lifted: bool
    divergences: list[Divergence]
    levels: dict[int, str | None]  # competence id → effective level (released, settled)

    @property
    def released(self) -> list[Marking]:
        return [m for m in self.markings if m.released_at is not None]


def grading_for(deliverable: Deliverable, viewer, *, may_view: bool | None = None) -> list[VersionGrading]:
    """Per submitted version (newest first), the markings ``viewer`` may see, with settled levels.

    Loads every marking of the deliverable in one query.
    """
    from ..policy import can

    may_view = can(viewer, "view", deliverable) if may_view is None else may_view
    versions = submitted_versions(deliverable)
    rows = list(db.session.scalars(
        select(Marking).where(Marking.version_id.in_([v.id for v in versions]))
        .options(selectinload(Marking.grades), selectinload(Marking.assessor)).order_by(Marking.id)
    )) if versions else []
    agreed_rows = list(db.session.scalars(
        select(AgreedGrade).where(AgreedGrade.version_id.in_([v.id for v in versions]))
    )) if versions else []
    double = is_double_marked(deliverable)
    result = []
    for version in reversed(versions):
        markings = [m for m in rows if m.version_id == version.id]
        visible = [m for m in markings if marking_visible(viewer, m, markings, double, may_view)]
        lifted = blind_lifted(markings, double)
        agreed = {a.competence_id: a for a in agreed_rows if a.version_id == version.id}
        divs = divergences(version, markings, agreed) if double else []
        levels = ({d.competence.id: d.settled_level for d in divs} if double
                  else effective_levels(version, markings))
        result.append(VersionGrading(version=version, markings=visible, all_markings=markings, is_double=double,
                                     is_blind_lifted=lifted, divergences=divs, levels=levels))
    return result


def grades_json(deliverable: Deliverable, viewer) -> list[dict]:
    """The ``grades[]`` of GET /api/v1/deliverables/{id}: every grade of the markings ``viewer`` may see
    (a candidate: released ones only, and with double marking once both are released), newest version
    first, plus the agreed grades that settled a divergence."""
    items = []
    for vg in grading_for(deliverable, viewer):
        for marking in vg.markings:
            for g in marking.grades:
                items.append({"competence": g.competence.code, "level": g.level, "comment": g.comment,
                              "version": vg.version.number, "marking": marking.id, "role": marking.role,
                              "assessor": marking.assessor.name, "released": marking.released_at is not None})
        if vg.is_blind_lifted and vg.released:
            for d in vg.divergences:
                if d.agreed is not None:
                    items.append({"competence": d.competence.code, "level": d.agreed.level,
                                  "comment": d.agreed.comment, "version": vg.version.number, "marking": None,
                                  "role": "agreed", "assessor": None, "released": True})
    return items


def _annotation_rows(deliverable: Deliverable) -> list:
    """(annotation, version id of the annotated file) for every annotation of the deliverable, in file order."""
    from ..annotations.models import Annotation
    from ..files.models import Attachment

    return db.session.execute(
        select(Annotation, Attachment.version_id).join(Attachment, Attachment.id == Annotation.attachment_id)
        .where(Annotation.deliverable_id == deliverable.id)
        .order_by(Attachment.version_id, Attachment.position, Annotation.attachment_id, Annotation.page,
                  Annotation.start_seconds, Annotation.id)
    ).all()


def annotations_with_markings(deliverable: Deliverable, viewer,
                              gradings: list[VersionGrading] | None = None) -> list[tuple[object, Marking | None]]:
    """The deliverable's annotations ``viewer`` may see, each with the marking it belongs to (or None).

    An annotation belongs to a marking (``marking_id``, or else its author's marking of the version
    of the annotated file). The viewer sees their own annotations and those of the markings they may
    see; one that belongs to no marking yet is seen by its author, admins and, without double
    marking, the other assessors of the candidate (as ``annotations.services.is_visible`` has it).
    """
    from ..enrolments.permissions import is_assigned

    gradings = grading_for(deliverable, viewer) if gradings is None else gradings
    markings = {m.id: m for vg in gradings for m in vg.all_markings}
    visible_ids = {m.id for vg in gradings for m in vg.markings}
    by_author = {(m.version_id, m.assessor_id): m.id for m in markings.values()}
    signed_in = getattr(viewer, "is_authenticated", False)
    is_admin = signed_in and viewer.has_role("admin")
    co_assessor = (signed_in and not is_double_marked(deliverable) and deliverable.enrolment.user_id != viewer.id
                   and is_assigned(viewer, deliverable.enrolment))
    result = []
    for annotation, version_id in _annotation_rows(deliverable):
        marking_id = annotation.marking_id or by_author.get((version_id, annotation.author_id))
        if (is_admin or annotation.author_id == getattr(viewer, "id", None) or marking_id in visible_ids
                or (marking_id is None and co_assessor)):
            result.append((annotation, markings.get(marking_id)))
    return result


def visible_annotations(deliverable: Deliverable, viewer, gradings: list[VersionGrading] | None = None) -> list:
    """The deliverable's annotations ``viewer`` may see (see ``annotations_with_markings``)."""
    return [a for a, _m in annotations_with_markings(deliverable, viewer, gradings)]


def released_annotations(deliverable: Deliverable, viewer, gradings: list[VersionGrading] | None = None) -> list:
    """(annotation, marking) of the released markings ``viewer`` may see: what the candidate reads."""
    return [(a, m) for a, m in annotations_with_markings(deliverable, viewer, gradings)
            if m is not None and m.released_at is not None]


def can_see_annotation(viewer, annotation) -> bool:
    """Whether ``viewer`` may see ``annotation`` (blind double marking, released markings only for others)."""
    return any(a.id == annotation.id for a in visible_annotations(annotation.deliverable, viewer))


def annotation_marking(version: DeliverableVersion, author, *, actor=None) -> Marking:
    """The marking an assessor's new annotation on ``version`` belongs to (opened when needed), for
    ``Annotation.marking_id``. Raises GradingConflict for a draft version."""
    marking, _created = open_marking(version, author, actor=actor or author)
    return marking


def annotations_locked(version: DeliverableVersion, author) -> bool:
    """Whether ``author``'s annotations on ``version`` are final: their marking has been released."""
    marking = marking_of(version, author)
    return marking is not None and marking.released_at is not None


def released_context(deliverable: Deliverable, viewer) -> dict:
    """The context of ``templates/grading/_released.html``: the released grading ``viewer`` may see."""
    gradings = [vg for vg in grading_for(deliverable, viewer) if vg.released]
    return {"gradings": gradings, "annotations": released_annotations(deliverable, viewer, gradings)
            if gradings else [], "deliverable": deliverable}
