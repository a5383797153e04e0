"""A candidate's evidence bundle before a jury: a read-only view by bloc, then competence, then evidence,
and its download as a ZIP of every submitted version's files with a Word index.

The view gathers, for one candidate of one session: the deliverables tagged to (or graded or annotated
on) each competence with their submitted versions and files, the released grades and comments, the
double-marking divergences and how they were settled, the annotations with a link that opens their exact
page, region or timecode, the effect of accommodations (the candidate's own due date, never why), the
internship and language proofs, and on the VAE route the experiences with their proofs and the
candidate's self-positioning. A fixed number of queries, whatever the size of the portfolio.

The ZIP is written on the fly (``stream_zip``): each stored file is read in chunks and passed on at
once, so memory stays flat however large the bundle; files are stored as they are (no compression of
media), only the Word index is deflated.
"""
from __future__ import annotations

import importlib
import importlib.util
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from ..accommodations.services import effective_due_at
from ..annotations.models import Annotation
from ..db import utcnow
from ..enrolments.models import Enrolment
from ..enrolments.services import required_bloc_codes
from ..evidence.models import Deliverable, DeliverableVersion
from ..extensions import db
from ..files.models import Attachment
from ..grading.models import AgreedGrade, Marking
from ..records.models import Internship, LanguageCertificate
from ..referential.models import Bloc, Competence
from ..vae.models import Experience, ExperienceProof, SelfPositioning
from .documents import render_bundle_index
from .models import BlocDecision, JuryCandidate, JurySession

CHUNK = 1024 * 1024
INDEX_NAME = "index.docx"
# The annotation viewer (deliverable_id, attachment_id, ?page=N), when the annotations feature provides it.
VIEWER_ENDPOINT = "annotations.view"


# --- the view ---------------------------------------------------------------------------------------

@dataclass
class GradeLine:
    assessor_name: str
    role: str  # first, second, third
    level: str
    comment: str


@dataclass
class AnnotationLink:
    annotation: Annotation
    href: str
    file_href: str
    where: str  # "p. 3", "00:01:12–00:01:30", "" (a text quote)


@dataclass
class VersionEvidence:
    version: DeliverableVersion
    files: list[Attachment]
    grades: list[GradeLine]
    agreed: AgreedGrade | None
    is_divergent: bool
    annotations: list[AnnotationLink]


@dataclass
class DeliverableEvidence:
    deliverable: Deliverable
    justification: str | None
    versions: list[VersionEvidence]
    cohort_due_at: datetime | None
    own_due_at: datetime | None

    @property
    def is_extended(self) -> bool:
        return bool(self.own_due_at and self.cohort_due_at and self.own_due_at > self.cohort_due_at)


@dataclass
class CompetenceView:
    competence: Competence
    evidence: list[DeliverableEvidence] = field(default_factory=list)
    experiences: list[tuple[Experience, str]] = field(default_factory=list)
    positioning: SelfPositioning | None = None


@dataclass
class BlocView:
    bloc: Bloc
    competences: list[CompetenceView]
    proposal: str | None  # the platform's status for the bloc, when the grading feature computes it
    ledger: list[BlocDecision]  # current decisions of every session
    session_decisions: list[BlocDecision]  # this session's, latest last

    @property
    def acquired(self) -> BlocDecision | None:
        return next((d for d in self.ledger if d.decision == "validated" and d.session.is_closed), None)


@dataclass
class Bundle:
    session: JurySession
    candidate: JuryCandidate
    enrolment: Enrolment
    blocs: list[BlocView]
    others: list[DeliverableEvidence]  # submitted work tied to no competence
    deliverables: list[Deliverable]
    internships: list[Internship]
    certificates: list[LanguageCertificate]
    experiences: list[Experience]
    positioning: dict[int, SelfPositioning]
    tagged_blocs: dict[int, list[str]]  # deliverable id → bloc codes of its tags
    tagged_competences: dict[int, list[str]]  # deliverable id → competence codes of its tags


def find_candidate(session_id: int, enrolment_id: int) -> JuryCandidate | None:
    """The session's candidate row for this enrolment, or None when the enrolment is not in the session."""
    return db.session.scalar(
        select(JuryCandidate).where(JuryCandidate.session_id == session_id, JuryCandidate.enrolment_id == enrolment_id)
        .options(selectinload(JuryCandidate.session), selectinload(JuryCandidate.enrolment)))


def _submitted(deliverable: Deliverable) -> list[DeliverableVersion]:
    return [v for v in deliverable.versions if v.submitted_at is not None]


def _available(files: Iterable[Attachment]) -> list[Attachment]:
    return [a for a in files if a.stored_file.is_available]


def platform_proposals(enrolment: Enrolment) -> dict[str, str]:
    """The platform's status per bloc code (from grades and rules), when the grading feature computes it."""
    if importlib.util.find_spec("portfolio.grading.status") is None:
        return {}
    status = importlib.import_module("portfolio.grading.status")
    if hasattr(status, "bloc_status_map"):
        found = status.bloc_status_map([enrolment.id]).get(enrolment.id, {})
        return {code: getattr(s, "status", s) for code, s in found.items()}
    if hasattr(status, "bloc_statuses"):
        return {s.bloc: s.status for s in status.bloc_statuses([enrolment.id]).get(enrolment.id, [])}
    return {}


def annotation_link(annotation: Annotation) -> AnnotationLink:
    """Links that open the annotation's exact page, region or timecode.

    ``href``: the annotation viewer on that page, scrolled to the annotation, when the application has
    one; ``file_href``: the file itself with a fragment the browser understands (``#page=3`` for a PDF,
    ``#t=12,30`` for video and sound).
    """
    fragment = _fragment(annotation)
    if "files.content" in current_app.view_functions:
        file_href = url_for("files.content", file_id=annotation.attachment_id)
    else:
        file_href = f"/files/{annotation.attachment_id}"
    if fragment:
        file_href += "#" + fragment
    href = file_href
    if VIEWER_ENDPOINT in current_app.view_functions:
        try:
            href = url_for(VIEWER_ENDPOINT, deliverable_id=annotation.deliverable_id,
                           attachment_id=annotation.attachment_id, page=annotation.page,
                           _anchor=f"annotation-{annotation.id}")
        except BuildError:
            href = file_href
    return AnnotationLink(annotation, href, file_href, _where(annotation))


_FRAGMENT_SAFE = re.compile(r"^[A-Za-z0-9=&,.:%_\-]+$")


def _fragment(annotation: Annotation) -> str:
    selector = annotation.selector if isinstance(annotation.selector, dict) else {}
    value = selector.get("value")
    if annotation.selector_type == "FragmentSelector" and isinstance(value, str) and _FRAGMENT_SAFE.match(value):
        return value
    if annotation.start_seconds is not None:
        end = f",{annotation.end_seconds:g}" if annotation.end_seconds is not None else ""
        return f"t={annotation.start_seconds:g}{end}"
    if annotation.page is not None:
        return f"page={annotation.page}"
    return ""


def timecode(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _where(annotation: Annotation) -> str:
    if annotation.start_seconds is not None:
        end = f"–{timecode(annotation.end_seconds)}" if annotation.end_seconds is not None else ""
        return timecode(annotation.start_seconds) + end
    if annotation.page is not None:
        return _("page %(page)d", page=annotation.page)
    return ""


def build_bundle(candidate: JuryCandidate) -> Bundle:
    """Everything the jury reads about one candidate, arranged by bloc, competence and evidence."""
    session, enrolment = candidate.session, candidate.enrolment
    certification = enrolment.certification
    blocs = list(db.session.scalars(
        select(Bloc).where(Bloc.certification_id == certification.id).order_by(Bloc.rank)
        .options(selectinload(Bloc.competences))))
    deliverables = list(db.session.scalars(
        select(Deliverable).where(Deliverable.enrolment_id == enrolment.id)
        .options(selectinload(Deliverable.versions).selectinload(DeliverableVersion.files),
                 selectinload(Deliverable.tags), selectinload(Deliverable.assessment))
        .order_by(Deliverable.created_at, Deliverable.id)))
    deliverables = [d for d in deliverables if _submitted(d)]
    version_ids = [v.id for d in deliverables for v in _submitted(d)]

    markings = list(db.session.scalars(
        select(Marking).where(Marking.version_id.in_(version_ids), Marking.released_at.is_not(None))
        .options(selectinload(Marking.grades), selectinload(Marking.assessor)).order_by(Marking.id))) \
        if version_ids else []
    agreed = {(a.version_id, a.competence_id): a for a in db.session.scalars(
        select(AgreedGrade).where(AgreedGrade.version_id.in_(version_ids)))} if version_ids else {}
    # As the jury sees them: annotations belonging to a released marking (their own, or their author's
    # marking of that version).
    released_ids = {m.id for m in markings}
    released_authors = {(m.version_id, m.assessor_id) for m in markings}
    annotations = [a for a, version_id in db.session.execute(
        select(Annotation, Attachment.version_id).join(Attachment, Annotation.attachment_id == Attachment.id)
        .where(Attachment.version_id.in_(version_ids)).order_by(Annotation.id))
        if a.marking_id in released_ids or (a.marking_id is None and (version_id, a.author_id) in released_authors)
    ] if version_ids else []
    annotations.sort(key=lambda a: (a.page or 0, a.start_seconds or 0.0, a.id))

    decisions = list(db.session.scalars(
        select(BlocDecision).where(BlocDecision.enrolment_id == enrolment.id)
        .options(selectinload(BlocDecision.session)).order_by(BlocDecision.decided_at, BlocDecision.id)))
    internships = list(db.session.scalars(
        select(Internship).where(Internship.enrolment_id == enrolment.id)
        .options(selectinload(Internship.agreement)).order_by(Internship.start_date)))
    certificates = list(db.session.scalars(
        select(LanguageCertificate).where(LanguageCertificate.enrolment_id == enrolment.id)
        .options(selectinload(LanguageCertificate.proof)).order_by(LanguageCertificate.date)))
    experiences, positioning = [], {}
    if enrolment.route == "vae":
        experiences = list(db.session.scalars(
            select(Experience).where(Experience.enrolment_id == enrolment.id)
            .options(selectinload(Experience.proofs).selectinload(ExperienceProof.files),
                     selectinload(Experience.competences)).order_by(Experience.start_date)))
        positioning = {p.competence_id: p for p in db.session.scalars(
            select(SelfPositioning).where(SelfPositioning.enrolment_id == enrolment.id))}

    # The candidate's own due date per assessment (accommodations applied; never their reason).
    own_due = {d.assessment_id: effective_due_at(enrolment, d.assessment)
               for d in deliverables if d.assessment is not None}

    grades_by_version: dict[int, dict[int, list[GradeLine]]] = {}
    for marking in markings:
        per_competence = grades_by_version.setdefault(marking.version_id, {})
        for grade in marking.grades:
            per_competence.setdefault(grade.competence_id, []).append(
                GradeLine(marking.assessor.name, marking.role, grade.level, grade.comment))
    notes_by_version: dict[int, list[Annotation]] = {}
    attachment_version = {a.id: v.id for d in deliverables for v in _submitted(d) for a in v.files}
    for note in annotations:
        notes_by_version.setdefault(attachment_version.get(note.attachment_id), []).append(note)

    def evidence_for(deliverable: Deliverable, competence_id: int | None, justification: str | None):
        versions = []
        for version in _submitted(deliverable):
            lines = grades_by_version.get(version.id, {}).get(competence_id, []) if competence_id else []
            paired = {g.level for g in lines if g.role in ("first", "second")}
            notes = [annotation_link(n) for n in notes_by_version.get(version.id, [])
                     if competence_id is None or n.competence_id in (None, competence_id)]
            versions.append(VersionEvidence(version, _available(version.files), lines,
                                            agreed.get((version.id, competence_id)), len(paired) > 1, notes))
        cohort_due = deliverable.assessment.due_at if deliverable.assessment is not None else None
        return DeliverableEvidence(deliverable, justification, versions, cohort_due,
                                   own_due.get(deliverable.assessment_id))

    # Which competences each deliverable speaks to: its tags, then what was graded or annotated on it.
    competences_of: dict[int, dict[int, str | None]] = {}
    for deliverable in deliverables:
        claimed = competences_of.setdefault(deliverable.id, {})
        for tag in deliverable.tags:
            claimed[tag.competence_id] = tag.justification
        for version in _submitted(deliverable):
            for competence_id in grades_by_version.get(version.id, {}):
                claimed.setdefault(competence_id, None)
            for note in notes_by_version.get(version.id, []):
                if note.competence_id is not None:
                    claimed.setdefault(note.competence_id, None)

    experiences_by_competence: dict[int, list[tuple[Experience, str]]] = {}
    for experience in experiences:
        for link in experience.competences:
            experiences_by_competence.setdefault(link.competence_id, []).append((experience, link.justification))

    required = set(required_bloc_codes(enrolment))
    evidenced = {cid for claimed in competences_of.values() for cid in claimed} | set(experiences_by_competence)
    proposals = platform_proposals(enrolment)
    bloc_views = []
    for bloc in blocs:
        if bloc.code not in required and not any(c.id in evidenced for c in bloc.competences) \
                and not any(d.bloc_id == bloc.id for d in decisions):
            continue
        competence_views = []
        for competence in bloc.competences:
            view = CompetenceView(competence, positioning=positioning.get(competence.id),
                                  experiences=experiences_by_competence.get(competence.id, []))
            for deliverable in deliverables:
                claimed = competences_of[deliverable.id]
                if competence.id in claimed:
                    view.evidence.append(evidence_for(deliverable, competence.id, claimed[competence.id]))
            competence_views.append(view)
        bloc_decisions = [d for d in decisions if d.bloc_id == bloc.id]
        bloc_views.append(BlocView(
            bloc, competence_views, proposals.get(bloc.code),
            ledger=[d for d in bloc_decisions if d.superseded_by_id is None],
            session_decisions=[d for d in bloc_decisions if d.session_id == session.id]))

    others = [evidence_for(d, None, None) for d in deliverables if not competences_of[d.id]]
    code_of = {c.id: (b.code, c.code) for b in blocs for c in b.competences}
    tagged_blocs, tagged_competences = {}, {}
    for deliverable in deliverables:
        codes = sorted(code_of[t.competence_id] for t in deliverable.tags if t.competence_id in code_of)
        tagged_blocs[deliverable.id] = sorted({bloc for bloc, _code in codes})
        tagged_competences[deliverable.id] = [code for _bloc, code in codes]
    return Bundle(session, candidate, enrolment, bloc_views, others, deliverables, internships, certificates,
                  experiences, positioning, tagged_blocs, tagged_competences)


# --- the ZIP ----------------------------------------------------------------------------------------

@dataclass
class ZipEntry:
    """One file of the archive: a stored object read in chunks, or bytes made here (the index)."""

    path: str
    size: int
    modified: datetime | None = None
    key: str | None = None
    data: bytes | None = None
    deflate: bool = False


@dataclass
class IndexRow:
    """A line of the Word index."""

    section: str  # a bloc code, "other" or "proofs"
    path: str
    title: str
    blocs: list[str]
    competences: list[str]
    version: int | None
    submitted_at: datetime | None
    size: int
    sha256: str


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_component(text: str, limit: int = 80) -> str:
    """A file or folder name every system accepts: no separators or control characters, bounded."""
    text = unicodedata.normalize("NFC", text or "")
    text = _UNSAFE.sub("_", text).strip().strip(".").strip()
    if len(text) > limit:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: limit - len(ext) - 1] + "." + ext) if dot and 0 < len(ext) <= 10 else text[:limit]
    return text or "_"


class _Paths:
    """Unique archive paths: a second file of the same name gets " (2)" before its extension."""

    def __init__(self):
        self.used: set[str] = set()

    def claim(self, *parts: str) -> str:
        path = "/".join(safe_component(p) for p in parts)
        stem, dot, ext = path.rpartition(".")
        if not dot or "/" in ext:
            stem, dot, ext = path, "", ""
        candidate, n = path, 1
        while candidate.casefold() in self.used:
            n += 1
            candidate = f"{stem} ({n}){dot}{ext}"
        self.used.add(candidate.casefold())
        return candidate


def plan_zip(bundle: Bundle) -> tuple[list[IndexRow], list[ZipEntry], list[IndexRow]]:
    """The archive's files in order, their index rows, and the files held back (antivirus) as rows.

    A deliverable lives once in the archive, under the first bloc its tags name (``BC05/<title>/v2/<file>``);
    the index lists it under every bloc it speaks to. Proofs go under ``proofs/``.
    """
    paths, rows, entries, held = _Paths(), [], [], []
    for deliverable in sorted(bundle.deliverables, key=lambda d: (bundle.tagged_blocs[d.id] or ["~"], d.id)):
        blocs = bundle.tagged_blocs[deliverable.id]
        if not blocs and deliverable.assessment is not None:
            blocs = [deliverable.assessment.bloc.code]
        folder = blocs[0] if blocs else "other"
        for version in _submitted(deliverable):
            for attachment in version.files:
                stored = attachment.stored_file
                row = IndexRow(folder, "", deliverable.title, blocs, bundle.tagged_competences[deliverable.id],
                               version.number, version.submitted_at, stored.size, stored.sha256)
                if not stored.is_available:
                    held.append(row)
                    continue
                row.path = paths.claim(folder, deliverable.title, f"v{version.number}", attachment.name)
                rows.append(row)
                entries.append(ZipEntry(row.path, stored.size, version.submitted_at, key=stored.key))

    def proof(parts: tuple[str, ...], attachment: Attachment, title: str, when: datetime | None):
        stored = attachment.stored_file
        row = IndexRow("proofs", "", title, [], [], None, when, stored.size, stored.sha256)
        if not stored.is_available:
            held.append(row)
            return
        row.path = paths.claim("proofs", *parts, attachment.name)
        rows.append(row)
        entries.append(ZipEntry(row.path, stored.size, attachment.created_at, key=stored.key))

    for internship in bundle.internships:
        for attachment in internship.agreement:
            proof(("internship", internship.organisation), attachment,
                  f"Stage : {internship.organisation}", attachment.created_at)
    for certificate in bundle.certificates:
        for attachment in certificate.proof:
            proof(("languages", f"{certificate.test} {certificate.level}"), attachment,
                  f"Langue : {certificate.test} {certificate.level}", attachment.created_at)
    for experience in bundle.experiences:
        for item in experience.proofs:
            for attachment in item.files:
                proof(("vae", f"{experience.organisation} - {experience.job_title}", item.title), attachment,
                      f"Expérience : {experience.organisation}, {item.title}", attachment.created_at)
    return rows, entries, held


class _Sink:
    """A write-only, unseekable file: what ZipFile writes is collected here and handed on at once."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(data if isinstance(data, bytes) else bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        parts, self.parts = self.parts, []
        yield from parts


def _zip_time(moment: datetime | date | None) -> tuple:
    moment = moment or datetime.now(UTC)
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    stamp = moment.timetuple()[:6]
    return stamp if stamp[0] >= 1980 else (1980, 1, 1, 0, 0, 0)


def stream_zip(entries: Iterable[ZipEntry], open_object: Callable[[str], object],
               chunk_size: int = CHUNK) -> Iterator[bytes]:
    """Yield a ZIP of ``entries`` piece by piece, reading each stored object in chunks.

    ZipFile writes to an unseekable sink, so each entry carries its sizes and CRC in a data descriptor
    after its data; ZIP64 is used for an entry only when its size needs it. ``open_object(key)`` returns
    a readable binary stream (``get_storage().open``).
    """
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", allowZip64=True)
    try:
        for entry in entries:
            info = zipfile.ZipInfo(entry.path, date_time=_zip_time(entry.modified))
            info.compress_type = zipfile.ZIP_DEFLATED if entry.deflate else zipfile.ZIP_STORED
            info.file_size = entry.size
            info.external_attr = 0o644 << 16
            with archive.open(info, "w") as out:
                yield from sink.drain()
                if entry.data is not None:
                    out.write(entry.data)
                else:
                    source = open_object(entry.key)
                    try:
                        while chunk := source.read(chunk_size):
                            out.write(chunk)
                            yield from sink.drain()
                    finally:
                        source.close()
            yield from sink.drain()
    finally:
        archive.close()  # the central directory; after an interruption it is simply never sent
    yield from sink.drain()


def bundle_filename(bundle: Bundle) -> str:
    name = safe_component(bundle.enrolment.candidate.name, 60).replace(" ", "-")
    return f"dossier-{bundle.session.date.isoformat()}-{name}.zip"


def zip_entries(bundle: Bundle) -> list[ZipEntry]:
    """The archive's entries: the Word index first (deflated), then every file (stored as it is)."""
    rows, entries, held = plan_zip(bundle)
    index = render_bundle_index(bundle, rows, held)
    return [ZipEntry(INDEX_NAME, len(index), utcnow(), data=index, deflate=True), *entries]
