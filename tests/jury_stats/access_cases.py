# ruff: noqa: F821
"""Access-matrix rows for the statistics, the follow-up survey and the verifiable credentials.

Statistics: admins only (403 for every other signed-in user). The survey and the credentials of the
owner's enrolment: the owner and admins; the assigned assessor, who sees the enrolment, is refused (403);
everyone else gets 404. The owner's enrolment is not certified, so answering the survey is a conflict (409).
Verifying a credential, the public key and the issuer's profile are public: 200 for everyone.

The world gets a decision in a closed session with no member (so users["jury"] sits for no one) and a
credential row for it, to reach the download and verification URLs.
"""
from datetime import UTC, date, datetime

ADMIN_ONLY = {"admin": 200}
OWNER_PAGE = {"admin": 200, "owner": 200, "assigned_assessor": 403}


def extend_world(users, objects, ids):
    import jwt

    from portfolio.extensions import db
    from portfolio.juries.models import BlocDecision, IssuedCredential, JurySession

    enrolment = objects["enrolment"]
    bloc = next(b for b in enrolment.certification.blocs if b.code == "BC01")
    session = JurySession(certification_id=enrolment.certification_id, route="training", date=date(2025, 1, 15),
                          status="closed", closed_at=datetime(2025, 1, 15, 17, tzinfo=UTC))
    db.session.add(session)
    db.session.flush()
    decision = BlocDecision(session_id=session.id, enrolment_id=enrolment.id, bloc_id=bloc.id,
                            decision="not_validated", comment="matrix")
    db.session.add(decision)
    db.session.flush()
    # A well-formed but unsigned token: the pages read it; the verification says it is not valid.
    token = jwt.encode({"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "matrix"}, None,
                       algorithm="none")
    credential = IssuedCredential(public_id="00000000-0000-4000-8000-00000000a11c", enrolment_id=enrolment.id,
                                  decision_id=decision.id, jwt=token)
    db.session.add(credential)
    db.session.flush()
    ids["jury_stats_decision"] = decision.id
    ids["jury_stats_credential"] = credential.public_id


CASES = {
    "jury_stats.index": [Case("GET", "/statistics", only(ADMIN_ONLY, 403))],
    "jury_stats.export_csv": [Case("GET", "/statistics/export.csv", only(ADMIN_ONLY, 403))],
    "jury_stats.export_xlsx": [Case("GET", "/statistics/export.xlsx", only(ADMIN_ONLY, 403))],
    "jury_stats.graduates": [
        Case("GET", "/statistics/graduates", only(ADMIN_ONLY, 403)),
        Case("GET", "/statistics/graduates?year=2025", only(ADMIN_ONLY, 403)),
    ],
    "jury_stats.survey": [
        Case("GET", "/enrolments/{enrolment}/survey", only(OWNER_PAGE, 404)),
        Case("GET", "/enrolments/999999/survey", only({}, 404)),
    ],
    "jury_stats.answer_survey": [
        Case("POST", "/enrolments/{enrolment}/survey/6",
             only({"admin": 409, "owner": 409, "assigned_assessor": 403}, 404),
             data={"m6-is_employed": "yes", "m6-job": "producer"}),
        Case("POST", "/enrolments/{enrolment}/survey/12",
             only({"admin": 404, "owner": 404, "assigned_assessor": 403}, 404), data={"m12-is_employed": "no"}),
    ],
    "credentials.enrolment_credentials": [
        Case("GET", "/enrolments/{enrolment}/credentials", only(OWNER_PAGE, 404)),
    ],
    "credentials.issue": [
        # A decision that is not validated: refused with a message, back to the list (303).
        Case("POST", "/enrolments/{enrolment}/credentials/issue/{jury_stats_decision}",
             only({"admin": 303, "owner": 303, "assigned_assessor": 403}, 404)),
        Case("POST", "/enrolments/{enrolment}/credentials/issue/999999",
             only({"admin": 404, "owner": 404, "assigned_assessor": 403}, 404)),
    ],
    "credentials.download_jwt": [
        Case("GET", "/enrolments/{enrolment}/credentials/{jury_stats_credential}.jwt", only(OWNER_PAGE, 404)),
        Case("GET", "/enrolments/{enrolment}/credentials/unknown.jwt",
             only({"admin": 404, "owner": 404, "assigned_assessor": 403}, 404)),
    ],
    "credentials.download_json": [
        Case("GET", "/enrolments/{enrolment}/credentials/{jury_stats_credential}.json", only(OWNER_PAGE, 404)),
    ],
    "credentials.public": [
        Case("GET", "/credentials/{jury_stats_credential}", everyone(200, anonymous=200)),
        Case("GET", "/credentials/unknown", everyone(404, anonymous=404)),
    ],
    "credentials.verify": [
        Case("GET", "/credentials/verify", everyone(200, anonymous=200)),
        Case("POST", "/credentials/verify", everyone(200, anonymous=200), data={"token": "not.a.jwt"}),
    ],
    "credentials.jwks": [Case("GET", "/credentials/jwks.json", everyone(200, anonymous=200))],
    "credentials.issuer": [Case("GET", "/credentials/issuer", everyone(200, anonymous=200))],
}
