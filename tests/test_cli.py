"""The command line of the contract (`flask --app portfolio …`), driven through Flask's CLI runner."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import ApiToken, User
from portfolio.accounts.services import get_user_by_email
from portfolio.enrolments.models import Assignment, Cohort, Enrolment
from portfolio.extensions import db
from portfolio.referential.models import Certification

PASSWORD = "a-long-enough-password"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input)

    return run


def _last_line(result) -> str:
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines, f"nothing printed; stderr: {result.stderr!r}"
    return lines[-1].strip()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- users ------------------------------------------------------------------------------------------

def test_users_create_prints_the_id_and_gives_every_role(cli, client):
    result = cli("users", "create", "New.Person@Example.org", "--name", "New Person", "--role", "candidate",
                 "--role", "jury", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user_id = int(_last_line(result))
    user = db.session.get(User, user_id)
    assert user.email == "new.person@example.org"
    assert user.name == "New Person"
    assert user.roles == ["candidate", "jury"]
    assert user.password_hash.startswith("$argon2id$")
    response = client.post("/login", data={"email": "new.person@example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_users_create_without_a_password_makes_an_account_that_cannot_log_in(cli, client):
    result = cli("users", "create", "nopass@example.org", "--name", "No Pass", "--role", "admin")
    assert result.exit_code == 0, result.output
    user = db.session.get(User, int(_last_line(result)))
    assert user.roles == ["admin"] and user.password_hash is None
    response = client.post("/login", data={"email": "nopass@example.org", "password": ""})
    assert response.status_code == 200


def test_users_create_refuses_a_duplicate_email(cli, make_user):
    existing = make_user("candidate")
    before = _count(User)
    result = cli("users", "create", existing.email.upper(), "--name", "Twin", "--role", "jury",
                 "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert "already exists" in result.stderr
    assert _count(User) == before
    assert get_user_by_email(existing.email).roles == ["candidate"]


@pytest.mark.parametrize("args, stdin, message", [
    (["--role", "wizard"], None, "wizard"),
    ([], None, "--role"),
    (["--role", "jury", "--password-stdin"], "short\n", "at least 12 characters"),
    (["--role", "jury", "--password-stdin"], "\n", "password"),
])
def test_users_create_refuses_bad_input_clearly(cli, args, stdin, message):
    before = _count(User)
    result = cli("users", "create", "bad@example.org", "--name", "Bad", *args, input=stdin)
    assert result.exit_code != 0
    assert message in result.stderr
    assert _count(User) == before


def test_users_token_prints_a_working_api_token(cli, client, make_user):
    user = make_user("assessor")
    result = cli("users", "token", user.email)
    assert result.exit_code == 0, result.output
    token = _last_line(result)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == user.email
    assert response.get_json()["roles"] == ["assessor"]
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token not in (row.token_hash, row.prefix)


def test_users_token_for_an_unknown_email_fails(cli):
    result = cli("users", "token", "nobody@example.org")
    assert result.exit_code != 0
    assert "nobody@example.org" in result.stderr


# --- enrol and assign -------------------------------------------------------------------------------

def test_enrol_prints_the_enrolment_id(cli, make_user, certification):
    user = make_user("candidate")
    result = cli("enrol", user.email, "--certification", "RNCP41241", "--route", "training",
                 "--option", "scenario-realisation", "--cohort", "DHEC CLI 2026")
    assert result.exit_code == 0, result.output
    enrolment = db.session.get(Enrolment, int(_last_line(result)))
    assert enrolment.user_id == user.id
    assert enrolment.certification_id == certification.id
    assert (enrolment.route, enrolment.option) == ("training", "scenario-realisation")
    assert enrolment.cohort.name == "DHEC CLI 2026"


def test_enrol_by_vae_and_twice_keeps_one_enrolment(cli, make_user):
    user = make_user("candidate")
    first = cli("enrol", user.email, "--certification", "rncp41241", "--route", "vae")
    assert first.exit_code == 0, first.output
    enrolment = db.session.get(Enrolment, int(_last_line(first)))
    assert enrolment.route == "vae" and enrolment.option is None
    again = cli("enrol", user.email, "--certification", "RNCP41241", "--route", "vae",
                "--option", "production-distribution")
    assert again.exit_code == 0, again.output
    assert int(_last_line(again)) == enrolment.id
    assert db.session.get(Enrolment, enrolment.id).option == "production-distribution"


@pytest.mark.parametrize("args, message", [
    (["--certification", "RNCP00000", "--route", "training"], "RNCP00000"),
    (["--certification", "RNCP41241", "--route", "correspondence"], "correspondence"),
    (["--certification", "RNCP41241", "--route", "training", "--option", "animation"], "animation"),
])
def test_enrol_refuses_bad_input_clearly(cli, make_user, args, message):
    user = make_user("candidate")
    result = cli("enrol", user.email, *args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id)) is None


def test_enrol_an_unknown_user_fails(cli, certification):
    result = cli("enrol", "ghost@example.org", "--certification", "RNCP41241", "--route", "training")
    assert result.exit_code != 0
    assert "ghost@example.org" in result.stderr


def test_assign_makes_the_assessor_responsible(cli, make_user, make_enrolment):
    assessor = make_user("assessor")
    enrolment = make_enrolment()
    result = cli("assign", assessor.email, str(enrolment.id))
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Assignment).where(
        Assignment.enrolment_id == enrolment.id, Assignment.assessor_id == assessor.id)) is not None
    again = cli("assign", assessor.email, str(enrolment.id))
    assert again.exit_code == 0
    assert _count(Assignment) == 1


def test_assign_refuses_a_non_assessor_and_an_unknown_enrolment(cli, make_user, make_enrolment):
    jury = make_user("jury")
    enrolment = make_enrolment()
    result = cli("assign", jury.email, str(enrolment.id))
    assert result.exit_code != 0
    assert "not an assessor" in result.stderr
    assessor = make_user("assessor")
    missing = cli("assign", assessor.email, "999999")
    assert missing.exit_code != 0
    assert "999999" in missing.stderr
    assert _count(Assignment) == 0


# --- demo and referential -----------------------------------------------------------------------------

def test_demo_is_idempotent_and_prints_the_accounts(cli, client):
    from portfolio.demo import ACCOUNTS, DEMO_PASSWORD

    first = cli("demo")
    assert first.exit_code == 0, first.output
    counts = (_count(User), _count(Enrolment), _count(Assignment), _count(Cohort))
    second = cli("demo")
    assert second.exit_code == 0, second.output
    assert (_count(User), _count(Enrolment), _count(Assignment), _count(Cohort)) == counts
    for email, _name, roles in ACCOUNTS:
        assert email in second.stdout
        assert get_user_by_email(email).roles == sorted(roles)
    assert DEMO_PASSWORD in second.stdout
    response = client.post("/login", data={"email": ACCOUNTS[0][0], "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_referential_load_is_idempotent(cli):
    first = cli("referential", "load")
    assert first.exit_code == 0, first.output
    versions = _count(Certification)
    second = cli("referential", "load")
    assert second.exit_code == 0, second.output
    assert "RNCP41241" in second.stdout and "already up to date" in second.stdout
    assert _count(Certification) == versions
    assert db.session.scalar(select(func.count()).select_from(Certification).where(
        Certification.code == "RNCP41241", Certification.is_current.is_(True))) == 1


def test_demo_again_keeps_what_people_changed(cli):
    assert cli("demo").exit_code == 0
    camille = get_user_by_email("camille.scenario@dhec.example.org")
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == camille.id))
    enrolment.option = "production-distribution"
    db.session.delete(enrolment.assignments[0])
    db.session.commit()
    assert cli("demo").exit_code == 0
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, enrolment.id)
    assert enrolment.option == "production-distribution"
    assert enrolment.assignments == []


def test_demo_again_after_a_new_referential_version(cli):
    from portfolio.referential.services import builtin_fiche, upsert_fiche

    assert cli("demo").exit_code == 0
    counts = (_count(Enrolment), _count(Cohort), _count(Assignment))
    fiche = builtin_fiche()
    fiche["title"] += " (revised)"
    _cert, created = upsert_fiche(fiche)
    db.session.commit()
    assert created
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert (_count(Enrolment), _count(Cohort), _count(Assignment)) == counts
