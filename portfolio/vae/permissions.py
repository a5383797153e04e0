"""Who may see and change a VAE proof dossier.

Whoever may see the enrolment reads its dossier (the candidate, their assessors, their jury,
admins). The candidate edits their own dossier, admissibility decisions included in what they read;
only admins record admissibility decisions.
"""
from __future__ import annotations

from ..enrolments.models import Enrolment
from ..enrolments.permissions import view_enrolment
from ..policy import rule
from .models import Experience, ExperienceProof


@rule("edit_vae_dossier", Enrolment)
def edit_dossier(user, enrolment: Enrolment) -> bool:
    return enrolment.user_id == user.id


@rule("decide_admissibility", Enrolment)
def decide_admissibility(user, enrolment: Enrolment) -> bool:
    return False  # admins only


@rule("view", Experience)
def view_experience(user, experience: Experience) -> bool:
    return view_enrolment(user, experience.enrolment)


@rule("edit", Experience)
def edit_experience(user, experience: Experience) -> bool:
    return experience.enrolment.user_id == user.id


@rule("view", ExperienceProof)
def view_proof(user, proof: ExperienceProof) -> bool:
    return view_enrolment(user, proof.experience.enrolment)


@rule("edit", ExperienceProof)
def edit_proof(user, proof: ExperienceProof) -> bool:
    return proof.experience.enrolment.user_id == user.id
