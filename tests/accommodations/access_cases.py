# ruff: noqa: F821
"""Access-matrix rows for the accommodation pages.

Referents and admins read and record; the owner reads the effects of their own (403 on changes);
assessors, juries and other candidates get 404, as if accommodations did not exist.
"""
from datetime import date

REGISTER = {"admin": 200, "referent": 200}
READERS = {"admin": 200, "referent": 200, "owner": 200}
RECORDERS = {"admin": 302, "referent": 302, "owner": 403}
EXTRA_TIME = {"kind": "extra_time", "extra_time_percent": "25", "valid_from": "2026-01-01", "basis": "disability"}


def extend_world(users, objects, ids):
    from portfolio.accommodations.models import Accommodation
    from portfolio.extensions import db

    row = Accommodation(enrolment_id=objects["enrolment"].id, kind="extra_time", extra_time_percent=33,
                        valid_from=date(2026, 1, 1), basis="disability", notes="Matrix notes",
                        created_by_id=users["referent"].id)
    db.session.add(row)
    db.session.flush()
    objects["accommodation"] = row
    ids["accommodation"] = row.id


def _unrevoke(objects):
    objects["accommodation"].revoked_at = None


CASES = {
    "accommodations.index": [Case("GET", "/accommodations/", only(REGISTER, 404))],
    "accommodations.candidate": [
        Case("GET", "/accommodations/enrolments/{enrolment}", only(READERS, 404)),
        Case("GET", "/accommodations/enrolments/999999", only({}, 404)),
    ],
    "accommodations.create": [
        Case("GET", "/accommodations/enrolments/{enrolment}/new", only({**REGISTER, "owner": 403}, 404)),
        Case("POST", "/accommodations/enrolments/{enrolment}/new", only(RECORDERS, 404), data=EXTRA_TIME),
        Case("POST", "/accommodations/enrolments/{enrolment}/new",
             only({**RECORDERS, "admin": 422, "referent": 422}, 404), data={**EXTRA_TIME, "extra_time_percent": ""}),
    ],
    "accommodations.detail": [Case("GET", "/accommodations/{accommodation}", only(READERS, 404))],
    "accommodations.revoke": [
        Case("POST", "/accommodations/{accommodation}/revoke", only(RECORDERS, 404), reset=_unrevoke),
    ],
}
