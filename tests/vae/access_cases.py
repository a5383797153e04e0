# ruff: noqa: F821
"""Access-matrix rows for the VAE proof dossier.

An enrolment is unique per (candidate, certification) and the owner's is on the training route, so
the dossier rows use a VAE enrolment of a candidate of their own, who is none of the matrix's actors:
the owner is a stranger to it (404), the assigned assessor is assigned to it too (reads, 403 on
changes), admins do everything. The owner's own training enrolment has no dossier: 404 for all.
Rows that delete are put back after each actor by ``reset``.
"""
from datetime import date

READERS = {"admin": 200, "assigned_assessor": 200}
ADMIN_PAGE = {"admin": 200, "assigned_assessor": 403}
ADMIN_CHANGE = {"admin": 302, "assigned_assessor": 403}
NO_DOSSIER = only({}, 404)

EXPERIENCE = {"organisation": "Matrix Films", "job_title": "Productrice", "start": "2018-09-01", "end": "",
              "hours": "", "fte_percent": "100", "activities": "Budgets"}
PROOF = {"kind": "published_work", "title": "Film", "url": "https://example.org/film"}


def _experience_fields(enrolment_id):
    return {"enrolment_id": enrolment_id, "organisation": "Matrix Films", "job_title": "Productrice",
            "start_date": date(2018, 9, 1), "fte_percent": 100}


def extend_world(users, objects, ids):
    from portfolio.accounts.services import create_user
    from portfolio.enrolments.services import assign, enrol
    from portfolio.extensions import db
    from portfolio.referential.services import current_certification
    from portfolio.vae.models import Experience, ExperienceProof

    candidate = create_user("vae-matrix-candidate@dhec.example.org", "VAE Candidate", ["candidate"])
    enrolment = enrol(candidate, current_certification("RNCP41241"), "vae", option="production-distribution")
    assign(users["assigned_assessor"], enrolment)
    experience = Experience(**_experience_fields(enrolment.id))
    db.session.add(experience)
    db.session.flush()
    proof = ExperienceProof(experience_id=experience.id, kind="published_work", title="Film",
                            url="https://example.org/film")
    db.session.add(proof)
    db.session.flush()
    ids["vae_enrolment"] = objects["vae_enrolment_id"] = enrolment.id
    ids["vae_experience"] = objects["vae_experience_id"] = experience.id
    ids["vae_proof"] = objects["vae_proof_id"] = proof.id


def _restore_experience(objects):
    from portfolio.extensions import db
    from portfolio.vae.models import Experience

    row_id = objects["vae_experience_id"]
    if db.session.get(Experience, row_id) is None:
        db.session.add(Experience(id=row_id, **_experience_fields(objects["vae_enrolment_id"])))


def _restore_proof(objects):
    from portfolio.extensions import db
    from portfolio.vae.models import ExperienceProof

    row_id = objects["vae_proof_id"]
    if db.session.get(ExperienceProof, row_id) is None:
        db.session.add(ExperienceProof(id=row_id, experience_id=objects["vae_experience_id"], kind="published_work",
                                       title="Film", url="https://example.org/film"))


DOSSIER = "/enrolments/{vae_enrolment}/vae"
EXPERIENCE_URL = DOSSIER + "/experiences/{vae_experience}"

CASES = {
    "vae.dossier": [
        Case("GET", DOSSIER, only(READERS, 404)),
        Case("GET", "/enrolments/{enrolment}/vae", NO_DOSSIER),
    ],
    "vae.experience_create": [
        Case("GET", DOSSIER + "/experiences/new", only(ADMIN_PAGE, 404)),
        Case("POST", DOSSIER + "/experiences/new", only(ADMIN_CHANGE, 404), data=EXPERIENCE),
        Case("POST", DOSSIER + "/experiences/new", only({**ADMIN_CHANGE, "admin": 422}, 404),
             data={**EXPERIENCE, "end": "2001-01-01"}),
        Case("GET", "/enrolments/{enrolment}/vae/experiences/new", NO_DOSSIER),
    ],
    "vae.experience": [Case("GET", EXPERIENCE_URL, only(READERS, 404))],
    "vae.experience_edit": [
        Case("GET", EXPERIENCE_URL + "/edit", only(ADMIN_PAGE, 404)),
        Case("POST", EXPERIENCE_URL + "/edit", only(ADMIN_CHANGE, 404), data=EXPERIENCE),
    ],
    "vae.experience_delete": [
        Case("POST", EXPERIENCE_URL + "/delete", only(ADMIN_CHANGE, 404), reset=_restore_experience),
    ],
    "vae.proof_create": [
        Case("GET", EXPERIENCE_URL + "/proofs/new", only(ADMIN_PAGE, 404)),
        Case("POST", EXPERIENCE_URL + "/proofs/new", only(ADMIN_CHANGE, 404), data=PROOF),
    ],
    "vae.proof_delete": [
        Case("POST", DOSSIER + "/proofs/{vae_proof}/delete", only(ADMIN_CHANGE, 404), reset=_restore_proof),
    ],
    "vae.experience_competences": [
        Case("GET", EXPERIENCE_URL + "/competences", only(ADMIN_PAGE, 404)),
        Case("POST", EXPERIENCE_URL + "/competences", only(ADMIN_CHANGE, 404)),
    ],
    "vae.positioning": [
        Case("GET", DOSSIER + "/positioning", only(READERS, 404)),
        Case("POST", DOSSIER + "/positioning", only(ADMIN_CHANGE, 404)),
        Case("GET", "/enrolments/{enrolment}/vae/positioning", NO_DOSSIER),
    ],
    "vae.admissibility": [
        Case("GET", DOSSIER + "/admissibility", only(ADMIN_PAGE, 404)),
        Case("POST", DOSSIER + "/admissibility", only(ADMIN_CHANGE, 404),
             data={"decision": "admissible", "decided_on": "2025-02-14"}),
        Case("GET", "/enrolments/{enrolment}/vae/admissibility", NO_DOSSIER),
    ],
}
