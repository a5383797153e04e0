# ruff: noqa: F821
"""Access-matrix rows for the administration pages: admins only; others 403; anonymous to the login page."""

ADMIN_ONLY = only({"admin": 200}, 403)


def extend_world(users, objects, ids):
    from portfolio.extensions import db

    enrolment = objects["enrolment"]
    ids["cohort"] = enrolment.cohort_id or 0
    ids["user"] = users["owner"].id
    ids["assignment"] = enrolment.assignments[0].id
    if enrolment.cohort_id is None:
        from portfolio.enrolments.services import get_or_create_cohort

        cohort = get_or_create_cohort("Matrix cohort", enrolment.certification)
        enrolment.cohort = cohort
        db.session.flush()
        ids["cohort"] = cohort.id


CASES = {
    "admin.users": [Case("GET", "/admin/users", ADMIN_ONLY)],
    "admin.user_create": [Case("GET", "/admin/users/new", ADMIN_ONLY)],
    "admin.user_edit": [Case("GET", "/admin/users/{user}", ADMIN_ONLY)],
    "admin.user_password_mail": [Case("POST", "/admin/users/{user}/password-mail", only({"admin": 302}, 403))],
    "admin.cohorts": [Case("GET", "/admin/cohorts", ADMIN_ONLY)],
    "admin.cohort_create": [Case("GET", "/admin/cohorts/new", ADMIN_ONLY)],
    "admin.cohort": [Case("GET", "/admin/cohorts/{cohort}", ADMIN_ONLY)],
    "admin.cohort_roster": [Case("POST", "/admin/cohorts/{cohort}/roster", only({"admin": (200, 302, 400)}, 403))],
    "admin.enrolments": [Case("GET", "/admin/enrolments", ADMIN_ONLY)],
    "admin.enrolment_create": [Case("GET", "/admin/enrolments/new", ADMIN_ONLY)],
    "admin.enrolment": [Case("GET", "/admin/enrolments/{enrolment}", ADMIN_ONLY)],
    "admin.enrolment_assign": [
        Case("POST", "/admin/enrolments/{enrolment}/assessors", only({"admin": (200, 302, 400)}, 403))
    ],
    "admin.enrolment_unassign": [
        Case("POST", "/admin/enrolments/{enrolment}/assessors/{assignment}/remove", only({"admin": 302}, 403),
             reset=lambda objects: _reassign(objects))
    ],
}


def _reassign(objects):
    from portfolio.accounts.models import User
    from portfolio.enrolments.services import assign
    from portfolio.extensions import db

    enrolment = objects["enrolment"]
    if not enrolment.assignments:
        assessor = db.session.scalar(db.select(User).where(User.email.like("%assessor%")).order_by(User.id))
        assign(assessor, enrolment)
