"""Demo data: one of each role, two students (one per option), a VAE candidate and a cohort."""
from __future__ import annotations

from .accounts.services import create_user, get_user_by_email
from .enrolments.services import assign, enrol, get_or_create_cohort
from .extensions import db
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


def seed_demo() -> list[tuple[str, str, list[str]]]:
    """Create the demo accounts, cohort, enrolments and assignments when missing (idempotent)."""
    cert, _ = load_builtin()
    users = {}
    for email, name, roles in ACCOUNTS:
        user = get_user_by_email(email) or create_user(email, name, roles, password=DEMO_PASSWORD)
        users[email] = user
    db.session.flush()
    cohort = get_or_create_cohort(COHORT, cert, academic_year="2025-2026")
    camille = enrol(users["camille.scenario@dhec.example.org"], cert, "training",
                    option="scenario-realisation", cohort=cohort)
    lucas = enrol(users["lucas.production@dhec.example.org"], cert, "apprenticeship",
                  option="production-distribution", cohort=cohort)
    nadia = enrol(users["nadia.vae@dhec.example.org"], cert, "vae", option="production-distribution")
    assign(users["assessor1@dhec.example.org"], camille)
    assign(users["assessor1@dhec.example.org"], lucas)
    assign(users["assessor2@dhec.example.org"], lucas)
    assign(users["assessor2@dhec.example.org"], nadia)
    return ACCOUNTS
