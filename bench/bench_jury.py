"""The jury's heavy documents: a 1 GiB evidence bundle streamed as a ZIP, and the minutes of a 60-candidate
session.

The bundle: four large files (random 1 MiB blocks, repeated) in a fresh local store, submitted by one
candidate of a jury session, are fetched through the whole WSGI application from the real endpoint
(``GET /api/v1/jury-sessions/{id}/candidates/{enrolment}/bundle``) into a sink that only counts the bytes.
The reference is ``zip -0`` of the same files to /dev/null (Python's ``zipfile`` with ZIP_STORED to a
temporary file when ``zip`` is not installed), page cache warmed for both. Peak resident memory growth
is read from /proc/self/status (VmHWM, reset before the download).

The minutes: a session of 60 candidates with 7 bloc decisions each, generated as a draft (open session)
and then numbered and stored (closed session).

Targets: the bundle under 1.5 times the reference and under 100 MiB of memory growth; the minutes under 2 s.
``BENCH_JURY_MB`` overrides the bundle's size (MiB); ``BENCH_DIR`` the directory (default: the system's).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from bench.memory import reset_peak_rss, rss_kib

MiB = 1024 * 1024
SIZE_MB = int(os.environ.get("BENCH_JURY_MB", "1024"))
FILES = 4
TARGET_RATIO = 1.5
TARGET_GROWTH_MIB = 100
TARGET_MINUTES_SECONDS = 2.0
CANDIDATES = 60


# --- the world ------------------------------------------------------------------------------------------

def _store_large_file(storage, workdir: Path, size: int, seed: int):
    """Write ``size`` bytes (repeated random blocks) straight into the local store; returns its StoredFile row."""
    from portfolio.extensions import db
    from portfolio.files.models import StoredFile

    blocks = [os.urandom(MiB) for _ in range(8)]
    blocks[0] = seed.to_bytes(8, "big") + blocks[0][8:]
    digest = hashlib.sha256()
    spool = workdir / f"spool-{seed}.bin"
    with spool.open("wb") as out:
        written, i = 0, 0
        while written < size:
            block = blocks[i % len(blocks)][: size - written]
            out.write(block)
            digest.update(block)
            written += len(block)
            i += 1
    sha = digest.hexdigest()
    key = f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"
    storage.put_file(key, spool, size, "video/mp4")
    spool.unlink()
    row = StoredFile(backend=storage.name, key=key, size=size, media_type="video/mp4", sha256=sha)
    db.session.add(row)
    db.session.flush()
    return row


def _prepare_bundle(app, workdir: Path) -> tuple[str, dict, list[Path]]:
    """A candidate in a session with ``FILES`` large submitted files; returns (url, headers, file paths)."""
    from portfolio.accounts.services import create_api_token, create_user
    from portfolio.enrolments.services import enrol
    from portfolio.evidence.models import CompetenceTag, Deliverable, DeliverableVersion
    from portfolio.extensions import db
    from portfolio.files.models import Attachment
    from portfolio.juries.models import JuryCandidate, JuryMember, JurySession
    from portfolio.referential.services import current_certification
    from portfolio.storage import get_storage

    certification = current_certification("RNCP41241")
    president = create_user("president@dhec.example.org", "Anne Martin", ["jury"], password=None)
    candidate = create_user("candidate@dhec.example.org", "Camille Durand", ["candidate"], password=None)
    enrolment = enrol(candidate, certification, "training", option="scenario-realisation")
    db.session.flush()
    session = JurySession(certification_id=certification.id, route="training", date=date(2026, 6, 12), place="Paris")
    db.session.add(session)
    db.session.flush()
    db.session.add_all([JuryMember(session_id=session.id, user_id=president.id, role="president", is_academic=True),
                        JuryCandidate(session_id=session.id, enrolment_id=enrolment.id)])
    storage = get_storage()
    competences = [c for b in certification.blocs if b.code in ("BC05", "BC06", "BC07") for c in b.competences]
    paths = []
    size = SIZE_MB * MiB // FILES
    for n in range(FILES):
        deliverable = Deliverable(enrolment_id=enrolment.id, title=f"Film {n + 1}", type="film")
        db.session.add(deliverable)
        db.session.flush()
        db.session.add(CompetenceTag(deliverable_id=deliverable.id, competence_id=competences[n].id))
        version = DeliverableVersion(deliverable_id=deliverable.id, number=1, submitted_at=datetime.now(UTC))
        db.session.add(version)
        db.session.flush()
        stored = _store_large_file(storage, workdir, size, n)
        db.session.add(Attachment(stored_file_id=stored.id, name=f"film-{n + 1}.mp4", version_id=version.id))
        paths.append(storage.local_path(stored.key))
    _, token = create_api_token(president, "bench")
    db.session.commit()
    return (f"/api/v1/jury-sessions/{session.id}/candidates/{enrolment.id}/bundle",
            {"Authorization": f"Bearer {token}"}, paths)


# --- the measures ---------------------------------------------------------------------------------------

def _warm(paths: list[Path]) -> None:
    for path in paths:
        with path.open("rb", buffering=0) as source:
            while source.read(8 * MiB):
                pass


def reference_seconds(paths: list[Path], workdir: Path) -> tuple[float, str]:
    """``zip -0`` of the files to /dev/null, or Python's zipfile (stored) to a temporary file."""
    started = time.perf_counter()
    if shutil.which("zip"):
        subprocess.run(["zip", "-0", "-q", "-", *map(str, paths)], check=True, stdout=subprocess.DEVNULL)
        label = "zip -0"
    else:
        print("`zip` is not installed: the reference is Python's zipfile (ZIP_STORED) to a file")
        target = workdir / "reference.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for path in paths:
                archive.write(path, path.name)
        target.unlink()
        label = "zipfile ZIP_STORED"
    return time.perf_counter() - started, label


def stream_bundle(app, url: str, headers: dict) -> tuple[float, int, int, int]:
    """GET the bundle through the WSGI app into a counting sink: (seconds, bytes, baseline KiB, peak KiB)."""
    from werkzeug.test import create_environ

    environ = create_environ(url, method="GET", headers=headers)
    status = []
    reset_peak_rss()
    baseline = rss_kib("VmRSS")
    started = time.perf_counter()
    body = app(environ, lambda s, h, e=None: status.append(s))
    total, tail = 0, b""
    try:
        for chunk in body:
            total += len(chunk)
            tail = (tail + chunk)[-64:]
    finally:
        if hasattr(body, "close"):
            body.close()
    elapsed = time.perf_counter() - started
    peak = rss_kib("VmHWM")
    assert status and status[0].startswith("200"), status
    assert b"PK\x05\x06" in tail, "the archive does not end with its central directory"
    return elapsed, total, baseline, peak


def minutes_seconds() -> tuple[float, float]:
    """A 60-candidate session's minutes: (draft, open session; numbered and stored, closed session)."""
    from portfolio.accounts.services import create_user
    from portfolio.enrolments.services import enrol
    from portfolio.extensions import db
    from portfolio.juries.documents import minutes_for
    from portfolio.juries.models import BlocDecision, JuryCandidate, JuryMember, JurySession
    from portfolio.referential.services import current_certification

    certification = current_certification("RNCP41241")
    blocs = {b.code: b.id for b in certification.blocs}
    session = JurySession(certification_id=certification.id, route="training", date=date(2026, 6, 19),
                          place="Paris, ESRA", status="open")
    db.session.add(session)
    db.session.flush()
    for n, (role, academic) in enumerate((("president", True), ("secretary", False), ("member", False))):
        user = create_user(f"pv-member{n}@dhec.example.org", f"Membre {n}", ["jury"], password=None)
        db.session.add(JuryMember(session_id=session.id, user_id=user.id, role=role, is_academic=academic,
                                  is_professional=not academic))
    for n in range(CANDIDATES):
        user = create_user(f"pv-candidate{n}@dhec.example.org", f"Candidat {n:02d}", ["candidate"], password=None)
        enrolment = enrol(user, certification, "training", option="scenario-realisation")
        db.session.flush()
        db.session.add(JuryCandidate(session_id=session.id, enrolment_id=enrolment.id, attendance="present"))
        for code in ("BC01", "BC02", "BC03", "BC04", "BC05", "BC06", "BC07"):
            db.session.add(BlocDecision(session_id=session.id, enrolment_id=enrolment.id, bloc_id=blocs[code],
                                        decision="validated" if (n + len(code)) % 5 else "not_validated",
                                        comment="Travail solide, argumentation claire.",
                                        recommendations=None if (n + len(code)) % 5 else "Reprendre le dossier."))
    db.session.commit()
    db.session.expire_all()
    started = time.perf_counter()
    draft = minutes_for(session)
    draft_seconds = time.perf_counter() - started
    assert draft.number is None and draft.data
    session.status, session.closed_at = "closed", datetime.now(UTC)
    db.session.commit()
    db.session.expire_all()
    started = time.perf_counter()
    issued = minutes_for(db.session.get(JurySession, session.id))
    db.session.commit()
    closed_seconds = time.perf_counter() - started
    assert issued.number and len(issued.read()) > 10_000
    return draft_seconds, closed_seconds


def main() -> None:
    from flask_migrate import upgrade

    from portfolio import create_app
    from portfolio.extensions import db
    from portfolio.referential.services import load_builtin

    with tempfile.TemporaryDirectory(prefix="bench-jury-", dir=os.environ.get("BENCH_DIR")) as tmp:
        workdir = Path(tmp)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.db", "SECRET_KEY": "bench",
                          "UPLOAD_DIR": str(workdir / "uploads"), "STORAGE_BACKEND": "local",
                          "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
            load_builtin()
            db.session.commit()
            url, headers, paths = _prepare_bundle(app, workdir)
            total_size = sum(p.stat().st_size for p in paths)
            _warm(paths)
            stream_bundle(app, url, headers)  # warm-up: imports, first queries, page cache
            reference, label = reference_seconds(paths, workdir)
            seconds, sent, baseline, peak = stream_bundle(app, url, headers)
            growth_mib = max(peak - baseline, 0) / 1024
            ratio = seconds / reference if reference else float("inf")
            print(f"bundle ZIP, {FILES} files, {total_size / MiB:.0f} MiB -> {sent / MiB:.1f} MiB streamed: "
                  f"{seconds:.2f} s ({total_size / MiB / seconds:.0f} MiB/s); {label}: {reference:.2f} s; "
                  f"ratio {ratio:.2f} (target < {TARGET_RATIO}) {'OK' if ratio < TARGET_RATIO else 'MISSED'}")
            print(f"bundle ZIP peak memory growth: {growth_mib:.1f} MiB (target < {TARGET_GROWTH_MIB}) "
                  f"{'OK' if growth_mib < TARGET_GROWTH_MIB else 'MISSED'}")
            draft, closed = minutes_seconds()
            print(f"minutes of a {CANDIDATES}-candidate session ({CANDIDATES * 7} decisions): draft {draft:.2f} s, "
                  f"numbered and stored {closed:.2f} s (target < {TARGET_MINUTES_SECONDS}) "
                  f"{'OK' if max(draft, closed) < TARGET_MINUTES_SECONDS else 'MISSED'}")
            db.engine.dispose()


if __name__ == "__main__":
    main()
