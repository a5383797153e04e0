"""The access matrix: every route and endpoint, for every role, owner and non-owner.

Each endpoint of the application must have a row (a test fails on any route without one), and each
row states what every actor gets. An unexpected access fails the test.

Rows live here for the foundation and in ``tests/<feature>/access_cases.py`` for each feature: such a
module defines ``CASES`` (endpoint → list of Case) and may define ``extend_world(users, objects, ids)``
to create the objects its URLs need (owned by ``users["owner"]``'s enrolment ``objects["enrolment"]``).
The names Case, everyone, only, LOGIN, UNAUTH, SIGNED_IN and ENROLMENT_VIEWERS are given to it.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from portfolio.extensions import db

ACTORS = (
    "anonymous", "admin", "owner", "other_candidate", "assigned_assessor", "other_assessor", "jury", "referent",
)
SIGNED_IN = ACTORS[1:]
LOGIN = "login"  # a redirect to the login page
UNAUTH = 401


@dataclass
class Case:
    method: str
    url: str  # formatted with the world's ids: {enrolment}, {token}, {cert}
    expected: dict[str, object]
    data: dict = field(default_factory=dict)
    json: dict | None = None
    reset: object = None  # called with the world's objects after each actor, to undo a state change

    def expect(self, actor: str):
        return self.expected[actor]


def everyone(value, anonymous=LOGIN, **overrides) -> dict:
    result = {actor: value for actor in SIGNED_IN}
    result["anonymous"] = anonymous
    result.update(overrides)
    return result


def only(allowed: dict, default, anonymous=LOGIN) -> dict:
    result = {actor: default for actor in SIGNED_IN}
    result["anonymous"] = anonymous
    result.update(allowed)
    return result


ENROLMENT_VIEWERS = {"admin": 200, "owner": 200, "assigned_assessor": 200}

CASES: dict[str, list[Case]] = {
    "dashboard.index": [Case("GET", "/", everyone(200))],
    "accounts.login": [Case("GET", "/login", everyone(302, anonymous=200))],
    "accounts.logout": [Case("POST", "/logout", everyone(302))],
    "accounts.forgot_password": [Case("GET", "/password/forgot", everyone(200, anonymous=200))],
    "accounts.reset_password": [Case("GET", "/password/reset/not-a-token", everyone(302, anonymous=302))],
    "accounts.profile": [Case("GET", "/profile", everyone(200))],
    "accounts.create_token": [Case("POST", "/profile/tokens", everyone(200), data={"name": "matrix"})],
    "accounts.revoke_token": [
        Case("POST", "/profile/tokens/{token}/revoke", only({"owner": 302}, 404))
    ],
    "accounts.change_password": [Case("POST", "/profile/password", everyone(400), data={"current": "x"})],
    "accounts.set_language": [
        Case("POST", "/language", everyone(302, anonymous=302), data={"lang": "en", "next": "/"})
    ],
    "referential.index": [Case("GET", "/certifications/", everyone(200))],
    "referential.certification": [
        Case("GET", "/certifications/{cert}", everyone(200)),
        Case("GET", "/certifications/RNCP00000", everyone(404)),
    ],
    "referential.certification_version": [Case("GET", "/certifications/{cert}/v1", everyone(200))],
    "referential.bloc": [
        Case("GET", "/certifications/{cert}/blocs/BC03", everyone(200)),
        Case("GET", "/certifications/{cert}/blocs/BC99", everyone(404)),
    ],
    "enrolments.detail": [Case("GET", "/enrolments/{enrolment}", only(ENROLMENT_VIEWERS, 404))],
    "enrolments.choose_option": [
        Case("POST", "/enrolments/{enrolment}/option",
             only({"admin": 302, "owner": 302, "assigned_assessor": 403}, 404),
             data={"option": "production-distribution"}, reset=lambda w: setattr(w["enrolment"], "option", None))
    ],
    "admin.index": [Case("GET", "/admin/", only({"admin": 200}, 403))],
    "api.openapi": [Case("GET", "/api/v1/openapi.json", everyone(200, anonymous=200))],
    "api.get_certification": [
        Case("GET", "/api/v1/certifications/{cert}", everyone(200, anonymous=UNAUTH)),
        Case("GET", "/api/v1/certifications/RNCP00000", everyone(404, anonymous=UNAUTH)),
    ],
    "api.me": [Case("GET", "/api/v1/me", everyone(200, anonymous=UNAUTH))],
    "api.get_enrolment": [
        Case("GET", "/api/v1/enrolments/{enrolment}", only(ENROLMENT_VIEWERS, 404, anonymous=UNAUTH))
    ],
}
UNCHECKED = {"static"}


def _feature_modules():
    modules = []
    for path in sorted(Path(__file__).parent.glob("*/access_cases.py")):
        spec = importlib.util.spec_from_file_location(f"access_cases_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        # The vocabulary of the matrix, given to each feature module.
        module.__dict__.update(Case=Case, everyone=everyone, only=only, LOGIN=LOGIN, UNAUTH=UNAUTH,
                               SIGNED_IN=SIGNED_IN, ENROLMENT_VIEWERS=ENROLMENT_VIEWERS)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


FEATURES = _feature_modules()
for _module in FEATURES:
    for _endpoint, _cases in _module.CASES.items():
        CASES.setdefault(_endpoint, []).extend(_cases)


@pytest.fixture
def world(app, make_user, make_enrolment):
    users = {
        "admin": make_user("admin"),
        "owner": make_user("candidate"),
        "other_candidate": make_user("candidate"),
        "assigned_assessor": make_user("assessor"),
        "other_assessor": make_user("assessor"),
        "jury": make_user("jury"),
        "referent": make_user("referent"),
    }
    enrolment = make_enrolment(candidate=users["owner"], option=None, assessors=[users["assigned_assessor"]])
    make_enrolment(candidate=users["other_candidate"], assessors=[users["other_assessor"]])
    from portfolio.accounts.services import create_api_token

    token_row, _ = create_api_token(users["owner"], "owned")
    tokens = {actor: create_api_token(user, "matrix")[1] for actor, user in users.items()}
    db.session.commit()
    ids = {"enrolment": enrolment.id, "token": token_row.id, "cert": "RNCP41241"}
    objects = {"enrolment": enrolment, "token": token_row}
    for module in FEATURES:
        if hasattr(module, "extend_world"):
            module.extend_world(users, objects, ids)
    db.session.commit()
    return users, tokens, ids, objects


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - UNCHECKED
    missing = sorted(endpoints - set(CASES))
    stale = sorted(set(CASES) - endpoints)
    assert not missing, f"routes without an access-matrix row: {missing}"
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_access_matrix(app, world, client_for, endpoint):
    users, tokens, ids, objects = world
    failures = []
    for case in CASES[endpoint]:
        url = case.url.format(**ids)
        for actor in ACTORS:
            expected = case.expect(actor)
            user = users.get(actor)
            headers = {}
            if url.startswith("/api/") and user is not None:
                headers["Authorization"] = f"Bearer {tokens[actor]}"
                client = app.test_client()
            else:
                client = client_for(user)
            response = client.open(url, method=case.method, data=case.data or None, json=case.json, headers=headers)
            got = response.status_code
            if expected == LOGIN:
                ok = got == 302 and "/login" in response.headers.get("Location", "")
            elif isinstance(expected, tuple):  # any of these (the outcome depends on the posted data)
                ok = got in expected
            else:
                ok = got == expected
            if url.startswith("/api/") and got >= 400:
                ok = ok and response.mimetype == "application/problem+json"
            if not ok:
                failures.append(f"{case.method} {url} as {actor}: expected {expected}, got {got} "
                                f"{response.headers.get('Location', '')}")
            db.session.rollback()
            if case.reset is not None:
                case.reset(objects)
                db.session.commit()
    assert not failures, "\n".join(failures)
