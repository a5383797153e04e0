"""Demo data: one of each role, two students (one per option), a VAE candidate and a cohort."""
from __future__ import annotations

from sqlalchemy import select

from .accounts.services import create_user, get_user_by_email
from .enrolments.models import Cohort, Enrolment
from .enrolments.services import assign, enrol, get_or_create_cohort
from .extensions import db
from .referential.models import Certification
from .referential.services import load_builtin

DEMO_PASSWORD = "demo-portfolio-2026"
COHORT = "DHEC 2025-2027"

ACCOUNTS = [
    ("admin@dhec.example.org", "Alice Admin", ["admin"]),
    ("camille.scenario@dhec.example.org", "Camille Martin", ["candidate"]),
    ("lucas.production@dhec.example.org", "Lucas Bernard", ["candidate"]),
    ("nadia.vae@dhec.example.org", "Nadia Haddad", ["candidate"]),
    ("assessor1@dhec.example.org", "Hélène Dubois", ["assessor"]),
    ("assessor2@dhec.example.org", "Marc Lefèvre", ["assessor"]),
    ("president@dhec.example.org", "Pr. Anne Moreau", ["jury"]),
    ("jury1@dhec.example.org", "Julien Petit", ["jury"]),
    ("jury2@dhec.example.org", "Sophie Laurent", ["jury"]),
    ("referent@dhec.example.org", "Claire Fontaine", ["referent"]),
]

# candidate, route, option, in the cohort, assessors
ENROLMENTS = [
    ("camille.scenario@dhec.example.org", "training", "scenario-realisation", True,
     ["assessor1@dhec.example.org"]),
    ("lucas.production@dhec.example.org", "apprenticeship", "production-distribution", True,
     ["assessor1@dhec.example.org", "assessor2@dhec.example.org"]),
    ("nadia.vae@dhec.example.org", "vae", "production-distribution", False, ["assessor2@dhec.example.org"]),
]


def _existing_enrolment(user, code: str) -> Enrolment | None:
    """The user's enrolment in any version of the certification ``code``."""
    return db.session.scalar(
        select(Enrolment).join(Certification, Enrolment.certification_id == Certification.id)
        .where(Enrolment.user_id == user.id, Certification.code == code).order_by(Enrolment.id)
    )


def _demo_cohort(cert: Certification) -> Cohort | None:
    """The demo cohort, unless an earlier version of the referential holds it already."""
    existing = db.session.scalar(select(Cohort).where(Cohort.name == COHORT))
    if existing is not None and existing.certification_id != cert.id:
        return None
    return get_or_create_cohort(COHORT, cert, academic_year="2025-2026")


def seed_demo() -> list[tuple[str, str, list[str]]]:
    """Create the demo accounts, cohort, enrolments and assignments when missing (idempotent).

    What exists is left as it is: running the demo again neither resets a changed enrolment nor
    restores a removed assignment, and a newer version of the referential does not disturb the
    cohort and enrolments made on the earlier one.
    """
    cert, _ = load_builtin()
    users = {}
    for email, name, roles in ACCOUNTS:
        users[email] = get_user_by_email(email) or create_user(email, name, roles, password=DEMO_PASSWORD)
    db.session.flush()
    for email, route, option, in_cohort, assessors in ENROLMENTS:
        if _existing_enrolment(users[email], cert.code) is not None:
            continue
        enrolment = enrol(users[email], cert, route, option=option, cohort=_demo_cohort(cert) if in_cohort else None)
        for assessor in assessors:
            assign(users[assessor], enrolment)
    cohort = _demo_cohort(cert)
    if cohort is not None:
        from .assessments.seed import seed_dhec_assessments

        seed_dhec_assessments(cohort)
    return ACCOUNTS
