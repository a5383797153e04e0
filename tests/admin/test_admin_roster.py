"""Roster import: UTF-8 and Excel's Windows-1252 exports, French or English headers, all-or-nothing."""
from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portfolio import mail
from portfolio.accounts.models import User
from portfolio.accounts.services import get_user_by_email
from portfolio.admin.roster import RosterError, import_roster, option_code, parse_roster, route_code
from portfolio.enrolments.models import Enrolment
from portfolio.enrolments.services import get_or_create_cohort

# UTF-8 with a byte order mark, comma separated, an extra column, LF line endings.
ROSTER_UTF8_COMMA = (
    "\ufeffNom,Prénom,E-mail,Voie,Option,Téléphone\n"
    "Durand,Chloé,Chloe.Durand@School.example.org,Formation initiale,Scénario / Réalisation,06 01 02 03 04\n"
    "Martin,François,francois.martin@school.example.org,apprentissage,Production/Distribution,\n"
    "Nguyen,Linh,linh.nguyen@school.example.org,VAE,,\n"
).encode("utf-8")

# What Excel saves as "CSV (séparateur : point-virgule)" on a French Windows: cp1252, CRLF, ";;" padding.
ROSTER_CP1252_SEMICOLON = (
    "NOM;PRÉNOM;Courriel;Parcours;Option;Remarques\r\n"
    "Garçon;Hélène;helene.garcon@school.example.org;Étudiant;scenario-realisation;\r\n"
    "Leçon;Jérôme;jerome.lecon@school.example.org;Contrat de professionnalisation;Production / Distribution;"
    "\"réorientée; voir dossier\"\r\n"
    ";;;;;\r\n"
).encode("cp1252")

ROSTER_THREE_BAD_ROWS = (
    b"last name,first name,email,route,option\n"
    b"Ok,One,one@school.example.org,training,\n"
    b"Bad,Two,not-an-email,training,\n"
    b"Bad,Three,three@school.example.org,candidature individuelle,\n"
    b"Ok,Four,four@school.example.org,formation continue,\n"
    b"Bad,Five,five@school.example.org,training,Animation\n"
)

@pytest.fixture(autouse=True)
def english(client, app):
    """The assertions read the English texts, whatever the default locale's catalog says (pages and,
    outside a request, the parser's messages)."""
    client.set_cookie("lang", "en")
    with force_locale("en"):
        yield



@pytest.fixture
def cohort(certification, db_session):
    cohort = get_or_create_cohort("Promo roster", certification, "2025-2026")
    db_session.commit()
    return cohort


def counts(db_session):
    return (db_session.scalar(select(func.count(User.id))), db_session.scalar(select(func.count(Enrolment.id))))


def upload(client, cohort, data: bytes, filename="roster.csv"):
    return client.post(f"/admin/cohorts/{cohort.id}/roster", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def enrolment_of(db_session, email):
    user = get_user_by_email(email)
    assert user is not None, email
    return user, db_session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))


def test_utf8_comma_file_imports(make_user, login_as, cohort, db_session):
    client = login_as(make_user("admin"))
    mail.outbox.clear()
    response = upload(client, cohort, ROSTER_UTF8_COMMA)
    assert response.status_code == 302, response.get_data(as_text=True)
    user, enrolment = enrolment_of(db_session, "chloe.durand@school.example.org")
    assert user.name == "Chloé Durand" and user.roles == ["candidate"] and user.password_hash is None
    assert (enrolment.route, enrolment.option, enrolment.cohort_id) == ("training", "scenario-realisation", cohort.id)
    user, enrolment = enrolment_of(db_session, "francois.martin@school.example.org")
    assert user.name == "François Martin"
    assert (enrolment.route, enrolment.option) == ("apprenticeship", "production-distribution")
    _, enrolment = enrolment_of(db_session, "linh.nguyen@school.example.org")
    assert (enrolment.route, enrolment.option) == ("vae", None)
    assert sorted(m["To"] for m in mail.outbox) == [
        "chloe.durand@school.example.org", "francois.martin@school.example.org", "linh.nguyen@school.example.org"]
    assert all("/password/reset/" in m.get_content() for m in mail.outbox)
    page = client.get(response.location).get_data(as_text=True)
    assert "new accounts: 3" in page and "new enrolments: 3" in page
    assert "Chloé Durand" in page


def test_cp1252_semicolon_file_with_accents_imports(make_user, login_as, cohort, db_session):
    client = login_as(make_user("admin"))
    before = counts(db_session)
    response = upload(client, cohort, ROSTER_CP1252_SEMICOLON)
    assert response.status_code == 302, response.get_data(as_text=True)
    user, enrolment = enrolment_of(db_session, "helene.garcon@school.example.org")
    assert user.name == "Hélène Garçon"
    assert (enrolment.route, enrolment.option, enrolment.cohort_id) == ("training", "scenario-realisation", cohort.id)
    user, enrolment = enrolment_of(db_session, "jerome.lecon@school.example.org")
    assert user.name == "Jérôme Leçon"
    assert (enrolment.route, enrolment.option) == ("professionalisation", "production-distribution")
    assert counts(db_session) == (before[0] + 2, before[1] + 2)


def test_existing_users_are_enrolled_not_duplicated(make_user, make_enrolment, login_as, cohort, db_session):
    existing = make_user("assessor", email="francois.martin@school.example.org", name="F. Martin")
    already = make_enrolment(candidate=make_user("candidate", email="linh.nguyen@school.example.org"),
                             route="training", option="scenario-realisation")
    client = login_as(make_user("admin"))
    before = counts(db_session)
    mail.outbox.clear()
    response = upload(client, cohort, ROSTER_UTF8_COMMA)
    assert response.status_code == 302
    assert counts(db_session) == (before[0] + 1, before[1] + 2)
    user, enrolment = enrolment_of(db_session, "francois.martin@school.example.org")
    assert user.id == existing.id and user.name == "F. Martin" and user.roles == ["assessor", "candidate"]
    assert enrolment.cohort_id == cohort.id
    db_session.refresh(already)
    assert (already.route, already.option, already.cohort_id) == ("vae", "scenario-realisation", cohort.id)
    assert [m["To"] for m in mail.outbox] == ["chloe.durand@school.example.org"]
    page = client.get(response.location).get_data(as_text=True)
    assert "new accounts: 1" in page and "new enrolments: 2" in page and "updated enrolments: 1" in page


def test_three_bad_rows_refuse_the_whole_file(make_user, login_as, cohort, db_session):
    client = login_as(make_user("admin"))
    before = counts(db_session)
    mail.outbox.clear()
    response = upload(client, cohort, ROSTER_THREE_BAD_ROWS)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The file was not imported" in page
    assert "Line 3: “not-an-email” is not a valid email address" in page
    assert "Line 4: the route “candidature individuelle” is not open for RNCP41241" in page
    assert "Line 6: unknown option “Animation”" in page
    assert "Line 2:" not in page and "Line 5:" not in page
    assert counts(db_session) == before
    assert get_user_by_email("one@school.example.org") is None
    assert mail.outbox == []


def test_roster_without_a_file_is_a_form_error(make_user, login_as, cohort):
    client = login_as(make_user("admin"))
    response = client.post(f"/admin/cohorts/{cohort.id}/roster", data={}, content_type="multipart/form-data")
    assert response.status_code == 200 and 'id="file-error"' in response.get_data(as_text=True)


# --- the parser on its own -------------------------------------------------------------------------

def problems_of(data: bytes, certification=None) -> dict[int | None, str]:
    with pytest.raises(RosterError) as caught:
        parse_roster(data, certification)
    return {p.line: p.message for p in caught.value.problems}


def test_parse_english_headers_tabs_and_codes(certification):
    rows = parse_roster(
        b"Email\tFirst Name\tLast Name\tRoute\tOption\tGroup\n"
        b"a@school.example.org\tAnn\tAsh\tcontinuing\tproduction-distribution\tG1\n"
        b"\n"
        b"b@school.example.org\tBen\tBirch\tV.A.E.\t\tG2\n",
        certification,
    )
    assert [(r.line, r.email, r.name, r.route, r.option) for r in rows] == [
        (2, "a@school.example.org", "Ann Ash", "continuing", "production-distribution"),
        (4, "b@school.example.org", "Ben Birch", "vae", None),
    ]


def test_parse_reports_duplicates_missing_values_and_true_line_numbers(certification):
    problems = problems_of((
        "nom;prénom;email;voie\n"
        "A;Anne;anne@school.example.org;FI\n"
        "\"Multi\nLine\";Bob;bob@school.example.org;training\n"
        "C;Cleo;ANNE@school.example.org;training\n"
        "D;Dan;;training\n"
        "E;Eve;eve@school.example.org;\n"
        "F;Fay;fay@school.example.org;alternance\n"
        ";;zed@school.example.org;training\n"
    ).encode(), certification)
    assert problems == {
        5: "the email anne@school.example.org is already on line 2",
        6: "the email is missing",
        7: "the route is missing",
        8: "unknown route “alternance”",
        9: "the name is missing",
    }


def test_parse_reports_missing_columns_on_line_1():
    problems = problems_of("nom,prénom,voie\nA,B,training\n".encode())
    assert list(problems) == [1] and "email" in problems[1]


def test_parse_refuses_empty_and_spreadsheet_files():
    assert list(problems_of(b"")) == [1]
    assert list(problems_of(b"nom,prenom,email,voie\n")) == [None]
    assert "CSV" in problems_of(b"PK\x03\x04rest-of-a-zip")[None]


def test_route_and_option_spellings():
    assert route_code("Formation initiale") == "training"
    assert route_code("ÉTUDIANT") == "training"
    assert route_code("Contrat d'apprentissage") == "apprenticeship"
    assert route_code("Formation continue") == "continuing"
    assert route_code("professionnalisation") == "professionalisation"
    assert route_code("vae") == "vae"
    assert route_code("Candidature individuelle") == "individual"
    assert route_code("alternance") is None
    assert option_code("Scénario / Réalisation") == "scenario-realisation"
    assert option_code("Production/Distribution") == "production-distribution"
    assert option_code("scenario-realisation") == "scenario-realisation"
    assert option_code("Animation") is None


def test_import_roster_service_without_a_request(app, cohort, make_user, db_session):
    admin = make_user("admin")
    rows = parse_roster(ROSTER_CP1252_SEMICOLON, cohort.certification)
    summary = import_roster(cohort, rows, actor=admin)
    assert (summary.users_created, summary.enrolments_created, summary.enrolments_updated) == (2, 2, 0)
    assert [u.email for u in summary.new_users] == ["helene.garcon@school.example.org",
                                                    "jerome.lecon@school.example.org"]
