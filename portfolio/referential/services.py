"""Loading fiches into the referential.

Every source (the built-in JSON definition, the France Compétences XML export) produces the same
plain mapping, a *fiche*, and goes through ``upsert_fiche``: an unchanged fiche is left alone, a
changed one becomes a new current version beside the old.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date
from importlib import resources

from sqlalchemy import select

from ..extensions import db
from .models import Bloc, Certification, CertificationRoute, Competence

BUILTIN = "rncp41241.json"


class ReferentialError(ValueError):
    """A fiche that cannot be loaded; the message says why."""


def builtin_fiche() -> dict:
    """The RNCP41241 definition shipped with the package."""
    text = resources.files("portfolio.data").joinpath(BUILTIN).read_text(encoding="utf-8")
    return json.loads(text)


def _content_hash(fiche: dict) -> str:
    keys = ("code", "title", "level", "certifiers", "internship_min_weeks", "routes", "blocs", "is_active")
    material = {k: fiche.get(k) for k in keys}
    return hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _date(value) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)


def validate_fiche(fiche: dict) -> None:
    """Raise ReferentialError when a fiche lacks what the platform needs."""
    if not fiche.get("code"):
        raise ReferentialError("fiche without a code")
    if not fiche.get("title"):
        raise ReferentialError(f"{fiche['code']}: fiche without a title")
    seen = set()
    for bloc in fiche.get("blocs", []):
        code = bloc.get("code")
        if not code or code in seen:
            raise ReferentialError(f"{fiche['code']}: missing or repeated bloc code {code!r}")
        seen.add(code)
        if bloc.get("kind", "common") == "option" and not bloc.get("option"):
            raise ReferentialError(f"{fiche['code']}{code}: an option bloc needs its option")


def upsert_fiche(fiche: dict, source: str = "builtin") -> tuple[Certification, bool]:
    """Store a fiche; return (certification version, whether a new version was created).

    The caller commits. Earlier versions are never modified except for their ``is_current`` flag.
    """
    validate_fiche(fiche)
    digest = _content_hash(fiche)
    current = db.session.scalar(
        select(Certification).where(Certification.code == fiche["code"], Certification.is_current.is_(True))
    )
    if current is not None and current.content_hash == digest:
        # Registration dates are not part of the content: a renewal updates them in place.
        for field in ("registered_on", "expires_on"):
            value = _date(fiche.get(field))
            if value is not None and getattr(current, field) != value:
                setattr(current, field, value)
        return current, False
    if source == "builtin" and db.session.scalar(
        select(Certification.id).where(Certification.code == fiche["code"], Certification.content_hash == digest)
    ):
        # The built-in definition was loaded before and has since been superseded (by an import):
        # loading it again must not bring it back over the newer version.
        return current, False
    version = 1
    if current is not None:
        current.is_current = False
        version = current.version + 1
        db.session.flush()
    cert = Certification(
        code=fiche["code"],
        version=version,
        is_current=True,
        is_active=fiche.get("is_active", True),
        title=fiche["title"],
        level=fiche.get("level"),
        certifiers=fiche.get("certifiers", []),
        registered_on=_date(fiche.get("registered_on")),
        expires_on=_date(fiche.get("expires_on")),
        internship_min_weeks=fiche.get("internship_min_weeks"),
        content_hash=digest,
        source=source,
    )
    for route in fiche.get("routes", []):
        cert.routes.append(
            CertificationRoute(
                route=route["route"],
                is_open=bool(route.get("is_open")),
                jury_composition=route.get("jury_composition"),
                jury_rules=route.get("jury_rules") or {},
            )
        )
    for rank, bloc in enumerate(fiche.get("blocs", []), start=1):
        row = Bloc(
            code=bloc["code"],
            rank=rank,
            title=bloc["title"],
            kind=bloc.get("kind", "common"),
            option=bloc.get("option"),
            evaluation_methods=bloc.get("evaluation_methods"),
            prerequisites=bloc.get("prerequisites") or [],
        )
        for k, label in enumerate(bloc.get("competences", []), start=1):
            row.competences.append(Competence(code=f"{bloc['code']}.{k}", rank=k, label=label))
        cert.blocs.append(row)
    db.session.add(cert)
    db.session.flush()
    return cert, True


def load_builtin() -> tuple[Certification, bool]:
    """Load the built-in RNCP41241 referential (idempotent)."""
    return upsert_fiche(builtin_fiche(), source="builtin")


def current_certification(code: str) -> Certification | None:
    """The current version of a certification, by its RNCP code (case-insensitive)."""
    return db.session.scalar(
        select(Certification).where(Certification.code == code.upper(), Certification.is_current.is_(True))
    )


def find_bloc(certification: Certification, code: str) -> Bloc | None:
    """A bloc by ``BC01`` or by its full code ``RNCP41241BC01``."""
    code = code.upper()
    if code.startswith(certification.code):
        code = code[len(certification.code):]
    return next((b for b in certification.blocs if b.code == code), None)
