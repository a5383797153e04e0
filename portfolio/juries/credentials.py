"""Verifiable credentials: an Open Badges 3.0 credential for each validated bloc, signed as a VC-JWT.

For each current validated decision of a closed jury session, the candidate may have a credential
issued (once per decision: asking again gives the same one). It is a W3C Verifiable Credential 2.0 /
Open Badges 3.0 ``OpenBadgeCredential`` whose achievement is the bloc, aligned to its RNCP code, and
whose subject is identified by a salted hash of the candidate's email address (never the address).
It is signed with the platform's key as a compact JWS (``typ: vc+jwt``, EdDSA with Ed25519, or ES256
with a P-256 key), the payload being the credential itself plus the registered claims ``iss``, ``jti``
and ``iat``. The public key is published as a JWK Set.

A credential is revoked when its decision is superseded (a later decision revokes it): the flush that
records the superseding decision marks it revoked, and verification checks the decision again.

The key: ``CREDENTIAL_SIGNING_KEY_PATH`` (a PEM private key), else ``instance/credential_signing_key.pem``,
generated once, readable by its owner only, in development; production must configure it.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..audit.models import AuditEntry
from ..db import utcnow
from ..enrolments.models import Enrolment
from ..extensions import db
from ..referential.models import Bloc
from .models import BlocDecision, IssuedCredential, JurySession

CONTEXTS = ["https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
JWT_TYPE = "vc+jwt"
JWT_CLAIMS = ("iss", "jti", "iat", "nbf", "exp", "sub")
MAX_TOKEN_LENGTH = 64_000
KEY_FILENAME = "credential_signing_key.pem"


class CredentialError(Exception):
    """A credential that cannot be issued (409) or a platform without a signing key (503)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


# --- the signing key -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SigningKey:
    private: object
    algorithm: str  # EdDSA or ES256
    jwk: dict  # the public key, with its kid
    kid: str

    @property
    def public(self):
        return self.private.public_key()


_keys: dict[tuple[str, float], SigningKey] = {}


def key_path() -> Path:
    configured = current_app.config.get("CREDENTIAL_SIGNING_KEY_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / KEY_FILENAME


def _generate(path: Path) -> None:
    """Write a new Ed25519 key, created readable by its owner only (never world-readable for a moment)."""
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first: use theirs
        return
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    path.chmod(0o600)


def _thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): the key's id."""
    required = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y")}[jwk["kty"]]
    canonical = json.dumps({name: jwk[name] for name in required}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def signing_key() -> SigningKey:
    """The platform's signing key, loaded once per file version. Raises CredentialError (503) when no
    key is configured in production, or when the file does not hold an Ed25519 or P-256 private key."""
    path = key_path()
    if not path.exists():
        if current_app.config.get("ENV_NAME") == "production":
            raise CredentialError(_("Verifiable credentials are not available: no signing key is configured."), 503)
        _generate(path)
    cache_key = (str(path), path.stat().st_mtime)
    found = _keys.get(cache_key)
    if found is not None:
        return found
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        current_app.logger.error("credential signing key %s cannot be read: %s", path, exc)
        raise CredentialError(_("Verifiable credentials are not available: the signing key cannot be read."),
                              503) from None
    if isinstance(private, ed25519.Ed25519PrivateKey):
        algorithm = "EdDSA"
    elif isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name == "secp256r1":
        algorithm = "ES256"
    else:
        raise CredentialError(_("Verifiable credentials are not available: the signing key is neither Ed25519 "
                                "nor P-256."), 503)
    public_jwk = jwt.algorithms.get_default_algorithms()[algorithm].to_jwk(private.public_key(), as_dict=True)
    kid = _thumbprint(public_jwk)
    public_jwk.update({"kid": kid, "use": "sig", "alg": algorithm})
    found = SigningKey(private, algorithm, public_jwk, kid)
    _keys[cache_key] = found
    return found


def jwks() -> dict:
    """The JWK Set of the platform's public key(s)."""
    return {"keys": [signing_key().jwk]}


# --- the credential ------------------------------------------------------------------------------------

def external_url() -> str:
    return current_app.config["EXTERNAL_URL"].rstrip("/")


def issuer_id() -> str:
    return f"{external_url()}/credentials/issuer"


def credential_url(public_id: str) -> str:
    return f"{external_url()}/credentials/{public_id}"


def issuer_profile(certifiers: list[str] | None = None) -> dict:
    """The issuer's Open Badges Profile: this platform, on behalf of the certification's certifiers."""
    if certifiers is None:
        from ..referential.services import current_certification

        certification = current_certification("RNCP41241")
        certifiers = list(certification.certifiers or []) if certification is not None else []
    profile = {"id": issuer_id(), "type": ["Profile"], "name": ", ".join(certifiers) or "Portfolio DHEC",
               "url": external_url()}
    if certifiers:
        profile["description"] = "Certificateurs : " + " ; ".join(certifiers)
    return profile


def _iso(moment) -> str:
    return moment.astimezone(utcnow().tzinfo).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rncp_number(code: str) -> str:
    return code[4:] if code.upper().startswith("RNCP") else code


def identity_hash(email: str, salt: str) -> str:
    """Open Badges ``identityHash`` of an email address: ``sha256$`` + hex of SHA-256(address + salt)."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def build_credential(decision: BlocDecision, public_id: str, issued_at, salt: str) -> dict:
    """The Open Badges 3.0 credential (JSON-LD) for a validated bloc decision."""
    bloc: Bloc = decision.bloc
    certification = bloc.certification
    enrolment: Enrolment = decision.enrolment
    session: JurySession = decision.session
    awarded = session.closed_at or decision.decided_at
    number = _rncp_number(certification.code)
    level = f" (niveau {certification.level})" if certification.level else ""
    return {
        "@context": list(CONTEXTS),
        "id": credential_url(public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{bloc.full_code} — {bloc.title}",
        "issuer": issuer_profile(list(certification.certifiers or [])),
        "validFrom": _iso(issued_at),
        "awardedDate": _iso(awarded),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": identity_hash(enrolment.candidate.email, salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }],
            "achievement": {
                "id": f"{external_url()}/certifications/{certification.code}/blocs/{bloc.code}",
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": bloc.title,
                "humanCode": bloc.full_code,
                "description": (f"Bloc de compétences {bloc.full_code} de la certification {certification.code} "
                                f"« {certification.title} »{level}, validé par le jury du "
                                f"{session.date.strftime('%d/%m/%Y')}."),
                "criteria": {"narrative": "\n".join(f"- {c.code} : {c.label}" for c in bloc.competences)},
                "alignment": [{
                    "type": ["Alignment"],
                    "targetName": bloc.title,
                    "targetCode": bloc.full_code,
                    "targetFramework": "RNCP",
                    "targetUrl": f"https://www.francecompetences.fr/recherche/rncp/{number}/",
                }],
                "inLanguage": "fr",
            },
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def sign(credential: dict, issued_at) -> str:
    """The credential as a compact VC-JWT signed with the platform's key."""
    key = signing_key()
    payload = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"],
               "iat": int(issued_at.timestamp())}
    return jwt.encode(payload, key.private, algorithm=key.algorithm, headers={"typ": JWT_TYPE, "kid": key.kid})


def credential_of(record: IssuedCredential) -> dict:
    """The JSON-LD credential a record's JWT carries (its registered JWT claims left out)."""
    payload = jwt.decode(record.jwt, options={"verify_signature": False})
    return {name: value for name, value in payload.items() if name not in JWT_CLAIMS}


# --- issuing and revoking ------------------------------------------------------------------------------

def credential_decisions(enrolment: Enrolment) -> list[BlocDecision]:
    """The enrolment's current validated decisions of closed sessions, one per bloc, in bloc order."""
    rows = db.session.scalars(
        select(BlocDecision)
        .join(JurySession, BlocDecision.session_id == JurySession.id)
        .join(Bloc, BlocDecision.bloc_id == Bloc.id)
        .where(BlocDecision.enrolment_id == enrolment.id, BlocDecision.decision == "validated",
               BlocDecision.superseded_by_id.is_(None), JurySession.status == "closed")
        .order_by(Bloc.rank, JurySession.date, BlocDecision.id)
    )
    by_bloc: dict[int, BlocDecision] = {}
    for decision in rows:
        by_bloc.setdefault(decision.bloc_id, decision)
    return list(by_bloc.values())


def credentials_of(enrolment: Enrolment) -> list[IssuedCredential]:
    """Every credential issued for the enrolment, revoked ones included, the newest first."""
    return list(db.session.scalars(
        select(IssuedCredential).where(IssuedCredential.enrolment_id == enrolment.id)
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())))


def active_credential(decision: BlocDecision) -> IssuedCredential | None:
    return db.session.scalar(select(IssuedCredential).where(
        IssuedCredential.decision_id == decision.id, IssuedCredential.revoked_at.is_(None)))


def issue_credential(decision: BlocDecision, actor) -> IssuedCredential:
    """The credential of a current validated decision of a closed session; the same one when asked
    again. Raises CredentialError: a decision that is not validated, superseded or not final (409), no
    signing key (503)."""
    # Serialise the issuing for one decision (PostgreSQL; SQLite writes one transaction at a time).
    db.session.execute(select(BlocDecision.id).where(BlocDecision.id == decision.id).with_for_update())
    db.session.refresh(decision)
    if decision.decision != "validated":
        raise CredentialError(_("A credential is issued for a validated bloc only."))
    if decision.superseded_by_id is not None:
        raise CredentialError(_("This decision was revoked: no credential is issued for it."))
    if decision.session.status != "closed":
        raise CredentialError(_("The decision becomes final when the jury session closes; the credential can be "
                                "issued then."))
    existing = active_credential(decision)
    if existing is not None:
        return existing
    issued_at = utcnow().replace(microsecond=0)
    public_id = str(uuid.uuid4())
    credential = build_credential(decision, public_id, issued_at, salt=secrets.token_hex(16))
    record = IssuedCredential(public_id=public_id, enrolment_id=decision.enrolment_id, decision_id=decision.id,
                              jwt=sign(credential, issued_at), issued_at=issued_at)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "issued_credential.issue", "issued_credential", record.id,
                 after={"public_id": public_id, "decision": decision.id, "bloc": decision.bloc.code})
    return record


def revoke_superseded() -> int:
    """Mark revoked every credential whose decision was superseded; the number marked (set-based)."""
    superseded = select(BlocDecision.id).where(BlocDecision.superseded_by_id.is_not(None))
    result = db.session.execute(
        update(IssuedCredential)
        .where(IssuedCredential.revoked_at.is_(None), IssuedCredential.decision_id.in_(superseded))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


@event.listens_for(Session, "before_flush")
def _revoke_with_superseded_decisions(session, flush_context, instances) -> None:
    """When a flush records that a decision is superseded, its credentials are revoked in the same flush."""
    superseded = [obj.id for obj in session.dirty
                  if isinstance(obj, BlocDecision) and obj.id is not None and obj.superseded_by_id is not None
                  and session.is_modified(obj, include_collections=False)]
    if not superseded:
        return
    with session.no_autoflush:
        rows = session.scalars(select(IssuedCredential).where(
            IssuedCredential.decision_id.in_(superseded), IssuedCredential.revoked_at.is_(None))).all()
        for record in rows:
            record.revoked_at = utcnow()
            session.add(AuditEntry(action="issued_credential.revoke", target_type="issued_credential",
                                   target_id=record.id, after={"public_id": record.public_id,
                                                               "decision": record.decision_id,
                                                               "reason": "decision superseded"}))


# --- verifying -----------------------------------------------------------------------------------------

@dataclass
class Verification:
    """What verifying a VC-JWT found. ``status``: valid, revoked, invalid, unknown (well signed, but
    not issued by this platform's records)."""

    status: str
    message: str
    credential: dict | None = None
    record: IssuedCredential | None = None

    @property
    def signature_ok(self) -> bool:
        return self.status in ("valid", "revoked", "unknown")


def _public_id(credential_id: str) -> str:
    return credential_id.rstrip("/").rsplit("/", 1)[-1]


def is_revoked(record: IssuedCredential) -> bool:
    return record.revoked_at is not None or record.decision.superseded_by_id is not None


def verify(token: str) -> Verification:
    """Verify a compact VC-JWT: the signature with the platform's key, the issuer, then whether the
    platform issued it and has not revoked it. Never raises on bad input (CredentialError when the
    platform has no key)."""
    token = "".join((token or "").split())
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return Verification("invalid", _("This is not a credential in the VC-JWT format."))
    key = signing_key()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return Verification("invalid", _("This is not a credential in the VC-JWT format."))
    if header.get("kid") != key.kid or header.get("alg") != key.algorithm:
        return Verification("invalid", _("This credential was not signed with this platform's key."))
    try:
        payload = jwt.decode(token, key.public, algorithms=[key.algorithm], issuer=issuer_id(),
                             options={"require": ["iss", "jti"], "verify_aud": False})
    except jwt.InvalidSignatureError:
        return Verification("invalid", _("The signature does not match: the credential was altered or forged."))
    except jwt.InvalidIssuerError:
        return Verification("invalid", _("This credential names another issuer."))
    except jwt.PyJWTError:
        return Verification("invalid", _("This credential cannot be verified: it is malformed."))
    credential = {name: value for name, value in payload.items() if name not in JWT_CLAIMS}
    types = credential.get("type") or []
    if header.get("typ") != JWT_TYPE or "OpenBadgeCredential" not in types or not isinstance(payload["jti"], str):
        return Verification("invalid", _("This is not an Open Badges credential."))
    record = db.session.scalar(select(IssuedCredential).where(
        IssuedCredential.public_id == _public_id(payload["jti"])))
    if record is None or record.jwt != token:
        return Verification("unknown", _("The signature is valid, but this platform has no record of issuing this "
                                         "credential."), credential)
    if is_revoked(record):
        return Verification("revoked", _("This credential was revoked: the jury's decision was revoked."),
                            credential, record)
    return Verification("valid", _("This credential is valid: issued and signed by this platform, not revoked."),
                        credential, record)


def verify_record(record: IssuedCredential) -> Verification:
    """Verify an issued credential as a third party would, from its JWT."""
    return verify(record.jwt)
