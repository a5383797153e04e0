"""Verifiable credentials: Open Badges 3.0 JSON-LD, signed as a VC-JWT, verified publicly, revoked with
the decision."""
from __future__ import annotations

import base64
import hashlib
import json
import stat
from datetime import date

import jwt
import lxml.html
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import func, select

from portfolio.extensions import db
from portfolio.juries import credentials
from portfolio.juries.models import IssuedCredential


@pytest.fixture
def holder(make_user, make_enrolment, closed_session, decide, signing_key_path):
    """A candidate with BC05 validated (closed session), BC07 not validated, BC06 validated in an open session."""
    enrolment = make_enrolment(candidate=make_user("candidate", name="Camille Durand",
                                                   email="Camille.Durand@example.org"))
    closed = closed_session(date(2026, 6, 12))
    still_open = closed_session(date(2026, 7, 1), status="open")
    validated = decide(closed, enrolment, "BC05", "validated")
    refused = decide(closed, enrolment, "BC07", "not_validated")
    pending = decide(still_open, enrolment, "BC06", "validated")
    db.session.commit()
    return enrolment, validated, refused, pending


def _issue(client, enrolment, decision):
    return client.post(f"/enrolments/{enrolment.id}/credentials/issue/{decision.id}")


def _credentials_of(enrolment):
    return db.session.scalars(select(IssuedCredential).where(IssuedCredential.enrolment_id == enrolment.id)).all()


def _english(client):
    client.post("/language", data={"lang": "en", "next": "/"})
    return client


def test_the_candidate_gets_a_credential_once_per_decision(holder, client_for):
    enrolment, validated, refused, pending = holder
    client = _english(client_for(enrolment.candidate))
    page = client.get(f"/enrolments/{enrolment.id}/credentials")
    assert page.status_code == 200
    rows = lxml.html.fromstring(page.get_data(as_text=True)).xpath("//table[@id='credentials-table']/tbody/tr")
    # Only the final validated bloc: not the refused one, not the one of a session still open.
    assert [" ".join(r.xpath("./th")[0].text_content().split())[:4] for r in rows] == ["BC05"]

    response = _issue(client, enrolment, validated)
    assert response.status_code == 303
    first = _credentials_of(enrolment)
    assert len(first) == 1 and first[0].decision_id == validated.id and first[0].revoked_at is None
    assert _issue(client, enrolment, validated).status_code == 303
    again = _credentials_of(enrolment)
    assert [c.id for c in again] == [first[0].id]  # idempotent

    # A refused bloc or a decision not final yet: no credential.
    for decision in (refused, pending):
        response = _issue(client, enrolment, decision)
        assert response.status_code == 303
        assert len(_credentials_of(enrolment)) == 1
    html = client.get(f"/enrolments/{enrolment.id}/credentials").get_data(as_text=True)
    assert "The decision becomes final when the jury session closes" in html
    # A decision of someone else, or none: 404.
    assert client.post(f"/enrolments/{enrolment.id}/credentials/issue/999999").status_code == 404
    assert client.post(f"/enrolments/{enrolment.id}/credentials/issue/abc").status_code == 404


def test_the_credential_is_an_open_badge_aligned_to_the_rncp_bloc(holder, app):
    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    db.session.commit()
    credential = credentials.credential_of(record)
    base = app.config["EXTERNAL_URL"].rstrip("/")
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"{base}/credentials/{record.public_id}"
    assert credential["issuer"]["id"] == f"{base}/credentials/issuer"
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["name"] == ("GROUPE ESRA (ESRA PARIS), "
                                            "MINISTERE DE L'ENSEIGNEMENT SUPERIEUR ET DE LA RECHERCHE")
    assert credential["validFrom"] == record.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert credential["awardedDate"] == "2026-06-12T17:00:00Z"
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    identity = subject["identifier"][0]
    assert identity["type"] == "IdentityObject" and identity["identityType"] == "emailAddress" and identity["hashed"]
    assert len(identity["salt"]) == 32
    expected_hash = hashlib.sha256(("camille.durand@example.org" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == "sha256$" + expected_hash
    assert "example.org" not in json.dumps(credential)  # the address itself is never in the credential
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Competency"
    assert achievement["id"] == f"{base}/certifications/RNCP41241/blocs/BC05"
    assert achievement["name"] == validated.bloc.title
    assert achievement["humanCode"] == "RNCP41241BC05"
    narrative = achievement["criteria"]["narrative"]
    assert [line.split(" : ")[0] for line in narrative.splitlines()] == [f"- BC05.{k}" for k in range(1, 6)]
    assert achievement["alignment"] == [{
        "type": ["Alignment"], "targetName": validated.bloc.title, "targetCode": "RNCP41241BC05",
        "targetFramework": "RNCP", "targetUrl": "https://www.francecompetences.fr/recherche/rncp/41241/",
    }]
    assert "12/06/2026" in achievement["description"]


def test_the_jwt_verifies_with_the_published_key(holder, client_for, signing_key_path):
    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    db.session.commit()
    anonymous = client_for(None)
    response = anonymous.get("/credentials/jwks.json")
    assert response.status_code == 200 and response.mimetype == "application/jwk-set+json"
    key = response.get_json()["keys"][0]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert "d" not in key  # never the private part

    header = jwt.get_unverified_header(record.jwt)
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "kid": key["kid"]}
    payload = jwt.decode(record.jwt, jwt.PyJWK(key).key, algorithms=["EdDSA"])
    assert payload["iss"] == payload["issuer"]["id"]
    assert payload["jti"] == payload["id"]
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "iat")} == credentials.credential_of(record)

    # The key file: written once, readable by its owner only; the same key id afterwards.
    assert stat.S_IMODE(signing_key_path.stat().st_mode) == 0o600
    assert anonymous.get("/credentials/jwks.json").get_json()["keys"][0]["kid"] == key["kid"]
    issuer = anonymous.get("/credentials/issuer")
    assert issuer.status_code == 200 and issuer.get_json()["id"].endswith("/credentials/issuer")


def test_downloads_as_jwt_and_json(holder, client_for):
    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    db.session.commit()
    client = client_for(enrolment.candidate)
    as_jwt = client.get(f"/enrolments/{enrolment.id}/credentials/{record.public_id}.jwt")
    assert as_jwt.status_code == 200 and as_jwt.mimetype == "application/vc+jwt"
    assert as_jwt.get_data(as_text=True) == record.jwt
    assert "RNCP41241BC05-credential.jwt" in as_jwt.headers["Content-Disposition"]
    as_json = client.get(f"/enrolments/{enrolment.id}/credentials/{record.public_id}.json")
    assert as_json.status_code == 200 and as_json.mimetype == "application/ld+json"
    assert json.loads(as_json.get_data(as_text=True)) == credentials.credential_of(record)
    page = client.get(f"/enrolments/{enrolment.id}/credentials").get_data(as_text=True)
    assert f"/credentials/{record.public_id}" in page and f"{record.public_id}.jwt" in page


def test_the_public_page_verifies_without_signing_in(holder, client_for):
    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    db.session.commit()
    client = _english(client_for(None))
    response = client.get(f"/credentials/{record.public_id}")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    assert tree.xpath("//*[@id='verification']/@data-status") == ["valid"]
    assert tree.xpath("//*[@id='holder']")[0].text_content() == "Camille Durand"
    facts = tree.xpath("//*[@id='credential-facts']")[0].text_content()
    assert "RNCP41241BC05" in facts and "2026-06-12" in facts
    assert "camille.durand@example.org" not in response.get_data(as_text=True).lower()
    assert client.get("/credentials/not-a-credential").status_code == 404


def _verify(client, token):
    response = client.post("/credentials/verify", data={"token": token})
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    status = tree.xpath("//*[@id='verification']/@data-status")
    return response.status_code, (status[0] if status else None), tree


def _segment(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_the_verify_page_rejects_a_tampered_or_forged_jwt(holder, client_for):
    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    db.session.commit()
    client = _english(client_for(None))
    assert client.get("/credentials/verify").status_code == 200

    code, status, tree = _verify(client, record.jwt)
    assert (code, status) == (200, "valid")
    assert "Camille Durand" in tree.xpath("//*[@id='verified-content']")[0].text_content()
    # Line breaks and spaces from a copy and paste do not matter.
    assert _verify(client, record.jwt[:40] + "\n  " + record.jwt[40:])[1] == "valid"

    header, _payload, signature = record.jwt.split(".")
    claims = jwt.decode(record.jwt, options={"verify_signature": False})
    claims["credentialSubject"]["achievement"]["name"] = "Bloc inventé"
    tampered = ".".join([header, _segment(claims), signature])
    code, status, tree = _verify(client, tampered)
    assert (code, status) == (200, "invalid")
    assert "The signature does not match" in tree.xpath("//*[@id='verification']")[0].text_content()

    # Signed with another key but claiming the platform's key id.
    forged = jwt.encode(claims, ed25519.Ed25519PrivateKey.generate(), algorithm="EdDSA",
                        headers={"typ": "vc+jwt", "kid": jwt.get_unverified_header(record.jwt)["kid"]})
    assert _verify(client, forged)[1] == "invalid"
    # No signature at all.
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert _verify(client, unsigned)[1] == "invalid"
    assert _verify(client, "not.a.jwt")[1] == "invalid"
    code, status, tree = _verify(client, "")
    assert code == 422 and status is None
    assert tree.xpath("//*[@id='token-error']")


def test_a_superseding_decision_revokes_the_credential(holder, client_for, closed_session, decide):
    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    db.session.commit()
    later = closed_session(date(2026, 10, 1))
    new = decide(later, enrolment, "BC05", "not_validated", comment="Fraude établie")
    validated.superseded_by_id = new.id
    validated.revocation_reason = "Fraude établie"
    db.session.commit()
    db.session.refresh(record)
    assert record.revoked_at is not None

    client = _english(client_for(None))
    response = client.get(f"/credentials/{record.public_id}")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    assert tree.xpath("//*[@id='verification']/@data-status") == ["revoked"]
    assert _verify(client, record.jwt)[1] == "revoked"

    candidate = _english(client_for(enrolment.candidate))
    page = lxml.html.fromstring(candidate.get(f"/enrolments/{enrolment.id}/credentials").get_data(as_text=True))
    assert page.xpath("//*[@id='no-credentials']")
    assert "BC05" in page.xpath("//*[@id='revoked-credentials']")[0].text_content()
    assert _issue(candidate, enrolment, validated).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(IssuedCredential)) == 1


def test_revocation_through_the_jury_services(holder, make_user, certification):
    """The jury's own way of revoking a decision (a new decision with its reason) revokes the credential."""
    from portfolio.juries import services

    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    db.session.commit()
    admin = make_user("admin")
    president = make_user("jury", name="Paule Présidente")
    secretary = make_user("jury", name="Serge Secrétaire")
    member = make_user("jury", name="Mona Membre")
    session = services.create_session(certification, date(2026, 11, 20), "training", place="Paris", actor=admin)
    services.add_member(session, president, "president", actor=admin, is_academic=True, gender="f")
    services.add_member(session, secretary, "secretary", actor=admin, gender="m")
    services.add_member(session, member, "member", actor=admin, is_professional=True, gender="f")
    services.add_candidate(session, enrolment, actor=admin)
    services.open_session(session, actor=admin)
    services.record_decision(session, enrolment, "BC05", "not_validated", actor=president, comment="Plagiat",
                             revokes=validated.id, reason="Plagiat établi après la session")
    db.session.commit()
    db.session.refresh(record)
    assert record.revoked_at is not None
    assert credentials.verify_record(record).status == "revoked"


def test_the_sweep_revokes_credentials_of_superseded_decisions(holder, closed_session, decide):
    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    db.session.commit()
    new = decide(closed_session(date(2026, 10, 1)), enrolment, "BC05", "not_validated")
    # A bulk update bypasses the flush hook: verification still says revoked, and the sweep records it.
    db.session.execute(db.update(type(validated)).where(type(validated).id == validated.id)
                       .values(superseded_by_id=new.id))
    db.session.expire_all()
    assert credentials.verify_record(record).status == "revoked"
    assert credentials.revoke_superseded() == 1
    db.session.refresh(record)
    assert record.revoked_at is not None


def test_the_candidate_sees_only_their_own(holder, make_user, make_enrolment, client_for):
    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    db.session.commit()
    other = make_enrolment(candidate=make_user("candidate"))
    client = client_for(other.candidate)
    assert client.get(f"/enrolments/{enrolment.id}/credentials").status_code == 404
    assert client.get(f"/enrolments/{enrolment.id}/credentials/{record.public_id}.jwt").status_code == 404
    # Their own enrolment, someone else's credential: 404 too.
    assert client.get(f"/enrolments/{other.id}/credentials/{record.public_id}.jwt").status_code == 404
    assert client.get(f"/enrolments/{other.id}/credentials/{record.public_id}.json").status_code == 404
    assert client.post(f"/enrolments/{other.id}/credentials/issue/{validated.id}").status_code == 404
    assert client.post(f"/enrolments/{enrolment.id}/credentials/issue/{validated.id}").status_code == 404
    assert len(_credentials_of(enrolment)) == 1 and not _credentials_of(other)


def test_production_without_a_key_is_unavailable_not_an_error(app, client_for, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "CREDENTIAL_SIGNING_KEY_PATH", str(tmp_path / "missing.pem"))
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    response = client_for(None).get("/credentials/jwks.json")
    assert response.status_code == 503
    assert not (tmp_path / "missing.pem").exists()


def test_an_es256_key_is_accepted(holder, app, monkeypatch, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = tmp_path / "p256.pem"
    path.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    monkeypatch.setitem(app.config, "CREDENTIAL_SIGNING_KEY_PATH", str(path))
    enrolment, validated, _refused, _pending = holder
    record = credentials.issue_credential(validated, actor=enrolment.candidate)
    assert jwt.get_unverified_header(record.jwt)["alg"] == "ES256"
    assert credentials.verify_record(record).status == "valid"
