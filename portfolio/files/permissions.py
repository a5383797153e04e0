"""Who may see a file: whoever may see the enrolment that owns it.

An attachment belongs to a deliverable version, a VAE proof, an internship agreement or a language
certificate; each of those belongs to one enrolment.
"""
from __future__ import annotations

from ..extensions import db
from ..policy import can, rule
from .models import Attachment


def owner_enrolment(attachment: Attachment):
    """The enrolment that owns ``attachment`` (None for an orphan row)."""
    if attachment.version_id is not None:
        from ..evidence.models import DeliverableVersion

        version = db.session.get(DeliverableVersion, attachment.version_id)
        return version.deliverable.enrolment if version is not None else None
    if attachment.proof_id is not None:
        from ..vae.models import ExperienceProof

        proof = db.session.get(ExperienceProof, attachment.proof_id)
        return proof.experience.enrolment if proof is not None else None
    if attachment.internship_id is not None:
        from ..records.models import Internship

        internship = db.session.get(Internship, attachment.internship_id)
        return internship.enrolment if internship is not None else None
    if attachment.language_certificate_id is not None:
        from ..records.models import LanguageCertificate

        certificate = db.session.get(LanguageCertificate, attachment.language_certificate_id)
        return certificate.enrolment if certificate is not None else None
    return None


@rule("view", Attachment)
def view_attachment(user, attachment: Attachment) -> bool:
    enrolment = owner_enrolment(attachment)
    return enrolment is not None and can(user, "view", enrolment)
