"""The VAE proof dossier: experiences, their proofs, their competences, the candidate's
self-positioning and the admissibility decision (recevabilité).

Only enrolments on the ``vae`` route have a dossier. The candidate keeps editing it whatever the
admissibility decision (the jury examines the dossier as it stands at the session); admins record
admissibility decisions, every one of which is kept: the latest is the one in force.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import func, select

from .. import audit
from ..enrolments.services import required_bloc_codes
from ..evidence.types import PROOF_MEDIA_TYPES
from ..extensions import db
from ..files.models import Attachment
from ..files.services import attach, receive_upload
from ..referential.models import Bloc, Competence
from .models import AdmissibilityDecision, Experience, ExperienceCompetence, ExperienceProof, SelfPositioning

PROOF_KINDS = ("employer_attestation", "contract", "credits", "published_work", "payslip", "other")
POSITIONING_LEVELS = ("yes", "partly", "no")
DECISIONS = ("admissible", "not_admissible", "incomplete")


class DossierError(ValueError):
    """Input that breaks a rule of the dossier; ``field`` names the input, the message is safe to show."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def has_dossier(enrolment) -> bool:
    return enrolment.route == "vae"


def required_blocs(enrolment) -> list[Bloc]:
    """The blocs of the enrolment's certification it must validate, in order, with their competences."""
    codes = set(required_bloc_codes(enrolment))
    return [b for b in enrolment.certification.blocs if b.code in codes]


def required_competences(enrolment) -> dict[int, Competence]:
    return {c.id: c for bloc in required_blocs(enrolment) for c in bloc.competences}


# --- experiences ----------------------------------------------------------------------------------

def _experience_fields(organisation, job_title, start, end, hours, fte_percent, activities) -> dict:
    organisation = (organisation or "").strip()
    job_title = (job_title or "").strip()
    if not organisation or len(organisation) > 200:
        raise DossierError("organisation", "the organisation is required (at most 200 characters)")
    if not job_title or len(job_title) > 200:
        raise DossierError("job_title", "the job title is required (at most 200 characters)")
    if not isinstance(start, date):
        raise DossierError("start", "the start date is required")
    if end is not None and end < start:
        raise DossierError("end", "the end date is before the start date")
    if hours is None and fte_percent is None:
        raise DossierError("hours", "give the hours worked or the share of full time")
    if hours is not None and hours <= 0:
        raise DossierError("hours", "the hours must be a positive number")
    if fte_percent is not None and not 1 <= fte_percent <= 100:
        raise DossierError("fte_percent", "the share of full time is a percentage between 1 and 100")
    return {"organisation": organisation, "job_title": job_title, "start_date": start, "end_date": end,
            "hours": hours, "fte_percent": fte_percent, "activities": (activities or "").strip()}


def _experience_state(row: Experience) -> dict:
    return {"organisation": row.organisation, "job_title": row.job_title, "start": row.start_date.isoformat(),
            "end": row.end_date.isoformat() if row.end_date else None, "hours": row.hours,
            "fte_percent": row.fte_percent}


def create_experience(enrolment, *, organisation, job_title, start, end=None, hours=None, fte_percent=None,
                      activities="", actor=None) -> Experience:
    """Add an experience to a VAE dossier. Raises DossierError on bad input (nothing changed)."""
    fields = _experience_fields(organisation, job_title, start, end, hours, fte_percent, activities)
    row = Experience(enrolment=enrolment, **fields)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "vae.experience.create", "experience", row.id, after=_experience_state(row))
    return row


def update_experience(row: Experience, *, organisation, job_title, start, end=None, hours=None,
                      fte_percent=None, activities="", actor=None) -> Experience:
    """Change an experience. Raises DossierError on bad input (nothing changed)."""
    fields = _experience_fields(organisation, job_title, start, end, hours, fte_percent, activities)
    before = _experience_state(row)
    for name, value in fields.items():
        setattr(row, name, value)
    db.session.flush()
    audit.record(actor, "vae.experience.update", "experience", row.id, before=before,
                 after=_experience_state(row))
    return row


def delete_experience(row: Experience, actor=None) -> None:
    """Delete an experience with its proofs and competence mapping."""
    audit.record(actor, "vae.experience.delete", "experience", row.id, before=_experience_state(row))
    db.session.delete(row)
    db.session.flush()


def experiences_of(enrolment) -> list[Experience]:
    return list(db.session.scalars(
        select(Experience).where(Experience.enrolment_id == enrolment.id)
        .order_by(Experience.start_date.desc(), Experience.id.desc())
    ))


# --- proofs ---------------------------------------------------------------------------------------

def check_url(url: str | None) -> str | None:
    """A web address (http or https) of at most 500 characters, or None. Raises DossierError."""
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise DossierError("url", "the link must be a web address starting with http:// or https://")
    return url


def add_proof(experience: Experience, *, kind: str, title: str, url: str | None = None, uploads=(),
              actor=None) -> ExperienceProof:
    """Add a proof to an experience: a file or several, and/or a link.

    ``uploads`` is a sequence of (stream, filename). A published work needs its link. Raises
    DossierError on bad input and the upload errors of ``portfolio.files.services`` (413, 415, 503);
    the caller rolls back.
    """
    if kind not in PROOF_KINDS:
        raise DossierError("kind", "unknown kind of proof")
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise DossierError("title", "the title is required (at most 200 characters)")
    url = check_url(url)
    uploads = list(uploads)
    if kind == "published_work" and url is None:
        raise DossierError("url", "a published work needs the link where it can be seen")
    if not uploads and url is None:
        raise DossierError("files", "add a file or a link")
    proof = ExperienceProof(experience=experience, kind=kind, title=title, url=url)
    db.session.add(proof)
    db.session.flush()
    names = []
    for position, (stream, filename) in enumerate(uploads):
        stored, name = receive_upload(stream, filename, PROOF_MEDIA_TYPES)
        attach(stored, name, actor=actor, position=position, proof=proof)
        names.append(name)
    db.session.expire(proof, ["files"])
    audit.record(actor, "vae.proof.create", "experience_proof", proof.id,
                 after={"experience": experience.id, "kind": kind, "title": title, "url": url, "files": names})
    return proof


def delete_proof(proof: ExperienceProof, actor=None) -> None:
    audit.record(actor, "vae.proof.delete", "experience_proof", proof.id,
                 before={"experience": proof.experience_id, "kind": proof.kind, "title": proof.title})
    db.session.delete(proof)
    db.session.flush()


def proof_file_count(experience: Experience) -> int:
    return db.session.scalar(
        select(func.count(Attachment.id)).join(ExperienceProof, Attachment.proof_id == ExperienceProof.id)
        .where(ExperienceProof.experience_id == experience.id)
    )


# --- competences ----------------------------------------------------------------------------------

def map_competences(experience: Experience, mapping: dict[int, str], actor=None) -> None:
    """Set the competences an experience demonstrates: {competence id: justification}.

    Only competences of the blocs the enrolment requires are accepted. Raises DossierError.
    """
    allowed = required_competences(experience.enrolment)
    unknown = [cid for cid in mapping if cid not in allowed]
    if unknown:
        raise DossierError("competences", "a chosen competence is not one of this certification's required blocs")
    for cid, justification in mapping.items():
        if len((justification or "").strip()) > 2000:
            raise DossierError("competences", f"the justification of {allowed[cid].code} is longer than 2000 "
                                              "characters")
    before = {link.competence.code: link.justification for link in experience.competences}
    existing = {link.competence_id: link for link in experience.competences}
    for cid, link in existing.items():
        if cid not in mapping:
            experience.competences.remove(link)
    for cid, justification in mapping.items():
        link = existing.get(cid)
        if link is None:
            link = ExperienceCompetence(competence_id=cid)
            experience.competences.append(link)
        link.justification = (justification or "").strip()
    db.session.flush()
    db.session.expire(experience, ["competences"])
    after = {allowed[cid].code: (justification or "").strip() for cid, justification in mapping.items()}
    audit.record(actor, "vae.experience.competences", "experience", experience.id, before=before, after=after)


# --- self-positioning -----------------------------------------------------------------------------

def positioning_of(enrolment) -> dict[int, SelfPositioning]:
    return {row.competence_id: row for row in db.session.scalars(
        select(SelfPositioning).where(SelfPositioning.enrolment_id == enrolment.id))}


def save_positioning(enrolment, answers: dict[int, tuple[str | None, str | None]], actor=None) -> None:
    """Save the candidate's self-positioning: {competence id: (level or None, comment)}.

    A competence left without a level is removed from the positioning. Raises DossierError.
    """
    allowed = required_competences(enrolment)
    current = positioning_of(enrolment)
    changes = {}
    for cid, (level, comment) in answers.items():
        if cid not in allowed:
            raise DossierError("positioning", "a competence is not one of this certification's required blocs")
        if level not in (None, *POSITIONING_LEVELS):
            raise DossierError("positioning", f"unknown answer for {allowed[cid].code}")
        comment = (comment or "").strip() or None
        if comment is not None and len(comment) > 2000:
            raise DossierError("positioning", f"the comment on {allowed[cid].code} is longer than 2000 characters")
        row = current.get(cid)
        if level is None:
            if row is not None:
                db.session.delete(row)
                changes[allowed[cid].code] = None
            continue
        if row is None:
            row = SelfPositioning(enrolment_id=enrolment.id, competence_id=cid, level=level, comment=comment)
            db.session.add(row)
        elif row.level == level and row.comment == comment:
            continue
        row.level, row.comment = level, comment
        changes[allowed[cid].code] = level
    db.session.flush()
    if changes:
        audit.record(actor, "vae.positioning", "enrolment", enrolment.id, after=changes)


def positioning_summary(enrolment) -> dict[str, int]:
    """How many required competences the candidate answered yes, partly, no, or not yet."""
    allowed = required_competences(enrolment)
    counts = dict.fromkeys((*POSITIONING_LEVELS, "unanswered"), 0)
    answered = {cid: row.level for cid, row in positioning_of(enrolment).items() if cid in allowed}
    for cid in allowed:
        counts[answered.get(cid, "unanswered")] += 1
    return counts


# --- admissibility --------------------------------------------------------------------------------

def record_admissibility(enrolment, *, decision: str, decided_on: date, reason: str = "",
                         actor=None) -> AdmissibilityDecision:
    """Record an admissibility decision (kept with the earlier ones). Raises DossierError.

    A decision other than admissible must say why: the candidate reads the reason.
    """
    if decision not in DECISIONS:
        raise DossierError("decision", "unknown decision")
    if not isinstance(decided_on, date):
        raise DossierError("decided_on", "the date of the decision is required")
    reason = (reason or "").strip()
    if decision != "admissible" and not reason:
        raise DossierError("reason", "say why the dossier is not admissible or incomplete")
    row = AdmissibilityDecision(enrolment_id=enrolment.id, decision=decision, decided_on=decided_on,
                                decided_by_id=getattr(actor, "id", None), reason=reason)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "vae.admissibility", "enrolment", enrolment.id,
                 after={"decision": decision, "decided_on": decided_on.isoformat(), "reason": reason})
    return row


def admissibility_history(enrolment) -> list[AdmissibilityDecision]:
    """Every decision, the one in force first (latest date, then latest recorded)."""
    return list(db.session.scalars(
        select(AdmissibilityDecision).where(AdmissibilityDecision.enrolment_id == enrolment.id)
        .order_by(AdmissibilityDecision.decided_on.desc(), AdmissibilityDecision.id.desc())
    ))


def current_admissibility(enrolment) -> AdmissibilityDecision | None:
    history = admissibility_history(enrolment)
    return history[0] if history else None


@dataclass(frozen=True)
class DossierSummary:
    experiences: list[Experience]
    covered: set[str]
    required: list[Competence]
    positioning: dict[str, int]
    admissibility: AdmissibilityDecision | None

    @property
    def uncovered(self) -> list[Competence]:
        return [c for c in self.required if c.code not in self.covered]


def dossier_summary(enrolment) -> DossierSummary:
    experiences = experiences_of(enrolment)
    required = list(required_competences(enrolment).values())
    covered = {link.competence.code for e in experiences for link in e.competences}
    return DossierSummary(experiences, covered, required, positioning_summary(enrolment),
                          current_admissibility(enrolment))
