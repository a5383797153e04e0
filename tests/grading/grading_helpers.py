"""Helpers of the grading tests: submitted versions with files, made as rows."""
from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta

from portfolio.extensions import db

counter = itertools.count(1)


def bloc_of(certification, code: str):
    return next(b for b in certification.blocs if b.code == code)


def competence(certification, code: str):
    bloc = bloc_of(certification, code.split(".")[0])
    return next(c for c in bloc.competences if c.code == code)


def add_file(version, name="dossier.pdf", media_type="application/pdf", media_info=None):
    from portfolio.files.models import Attachment, StoredFile

    digest = hashlib.sha256(f"{name}-{next(counter)}".encode()).hexdigest()
    stored = StoredFile(backend="local", key=f"test/{digest}", size=1234, media_type=media_type, sha256=digest,
                        media_info=media_info)
    attachment = Attachment(stored_file=stored, name=name, position=len(version.files), version_id=version.id)
    db.session.add(attachment)
    db.session.flush()
    version.files.append(attachment)
    return attachment


def new_version(deliverable, submitted=True):
    from portfolio.evidence.models import DeliverableVersion

    version = DeliverableVersion(number=deliverable.latest.number + 1)
    deliverable.versions.append(version)
    db.session.flush()
    add_file(version, name=f"v{version.number}.pdf")
    if submitted:
        version.submitted_at = datetime.now(UTC)
    db.session.commit()
    return version


def hours_ago(n: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=n)
